"""A slow task that only the fault-tolerance tests register (worker started with --include)."""

import time

from celery import shared_task


@shared_task(name="tests.slow_job", time_limit=6, soft_time_limit=5)
def slow_job(marker_path: str, seconds: float) -> str:
    """Write "start", sleep, write "done": the marker file counts runs and completions."""
    with open(marker_path, "a") as marker:
        marker.write("start\n")
    time.sleep(seconds)
    with open(marker_path, "a") as marker:
        marker.write("done\n")
    return "done"


@shared_task(name="tests.stubborn_job", time_limit=4, soft_time_limit=2)
def stubborn_job(marker_path: str, seconds: float) -> str:
    """Ignore the soft time limit and sleep on, so that the worker kills it at the hard one."""
    from celery.exceptions import SoftTimeLimitExceeded

    with open(marker_path, "a") as marker:
        marker.write("start\n")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            continue
    with open(marker_path, "a") as marker:
        marker.write("done\n")
    return "done"
