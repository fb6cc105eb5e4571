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
