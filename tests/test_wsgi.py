"""The WSGI entry point gunicorn serves: loaded with the URL configuration, and its start-up objects frozen out of
the cyclic garbage collector's full collections (which, walking all of Django, paused a worker 100+ ms)."""

import os
import subprocess
import sys


def test_the_wsgi_application_starts_with_its_start_up_objects_frozen():
    code = ("import gc, jinguo.wsgi as w; from django.urls import get_resolver; "
            "print(callable(w.application), gc.get_freeze_count(), len(gc.get_objects()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "jinguo.settings"}, check=True).stdout.split()
    assert out[0] == "True"
    frozen, left = int(out[1]), int(out[2])
    assert frozen > 50_000 and left < frozen / 10  # Django and the apps frozen; little left for the collector
