"""Django: the built-in Redis cache backend, and cache-backed sessions on top of it."""
import os

import django
from django.conf import settings

settings.configure(
    CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{os.environ['REDIS_PORT']}/0",
    }},
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    INSTALLED_APPS=["django.contrib.sessions"],
    SECRET_KEY="record-keyspaces",
)
django.setup()

from django.contrib.sessions.backends.cache import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402

cache.set("product:1042", {"name": "lamp"}, 300)
cache.set("homepage", "<html>", 60)
for user in (1, 2):
    s = SessionStore()
    s["user_id"] = user
    s.create()
