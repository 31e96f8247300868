from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def trusted_proxy_count_check(app_configs, **kwargs) -> list[Warning]:
    """In production the portal is behind the TLS proxy (it redirects to HTTPS and reads
    X-Forwarded-Proto): with no proxy trusted, every parent has the proxy's address, and the
    per-address login limit refuses everyone after one person's wrong guesses."""
    if settings.DEBUG or settings.ALLAUTH_TRUSTED_PROXY_COUNT > 0:
        return []
    return [Warning(
        "TRUSTED_PROXY_COUNT is 0, but in production the portal is reached through a TLS "
        "proxy: every parent would share the proxy's address, and one person's wrong "
        "passwords would refuse everyone's logins.",
        hint="Set TRUSTED_PROXY_COUNT to the number of proxies that add to "
             "X-Forwarded-For (1 with docker-compose.yml and one TLS proxy), and keep the "
             "app's port reachable by the proxy only (README, Production).",
        id="accounts.W001",
    )]
