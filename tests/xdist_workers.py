"""Under pytest-xdist (`-n N`), each worker gets its own Redis database: the cache, the
Celery queues and the flushes of one worker must not reach another's. Loaded with `-p`,
before pytest-django reads the settings; without xdist it changes nothing."""
import os
from urllib.parse import urlsplit, urlunsplit

worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", …
if worker and os.environ.get("REDIS_URL"):
    url = urlsplit(os.environ["REDIS_URL"])
    database = int(url.path.strip("/") or 0) - int(worker.removeprefix("gw"))  # 14, 13, …
    if database < 0:
        raise SystemExit(f"REDIS_URL's database number is too low for worker {worker}: "
                         "give the first of a free range at its top (redis://…/14)")
    os.environ["REDIS_URL"] = urlunsplit(url._replace(path=f"/{database}"))
