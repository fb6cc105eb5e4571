"""Production settings of the portal, routed through ``bench.urls`` to add the trivial view."""

import os

from pal_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# collectstatic writes into the run's temporary directory, not the checkout's staticfiles/.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
