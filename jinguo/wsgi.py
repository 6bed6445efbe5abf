import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinguo.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 — the URL configuration imported now, with the views, not on the first request
# What is loaded by now (Django, the apps, the URL configuration) lives as long as the process: frozen out of the
# cyclic collector's way, its full collections walk only what requests make. Walking everything had paused a worker
# 100–130 ms every fifty list pages: the case list's p95.
gc.freeze()
