"""A task for the worker fault test: slow the first time it runs, instant after (as a re-run import would be)."""

import time
from pathlib import Path

from django_tasks import task


@task()
def slow_once(marker: str, seconds: float) -> str:
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(seconds)
    return "finished"


@task()
def abort_worker() -> str:
    """Kill the process running it, as a native library does when it cannot allocate (Python cannot catch it)."""
    import os

    os.abort()
    return "unreachable"
