from django_redis.cache import RedisCache, omit_exception


class FailOpenRedisCache(RedisCache):
    """With Redis down, add() reports success: allauth's rate-limit lock then lets the
    request through instead of answering 429 to every login and reset (fail open while
    Redis is away; the outage is logged by django-redis)."""

    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)
