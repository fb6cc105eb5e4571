"""Reads of the co-creation record, one module per part; import them from here."""

from cocreation.selectors.decisions import *  # noqa: F403
from cocreation.selectors.prioritization import *  # noqa: F403
from cocreation.selectors.records import *  # noqa: F403
from cocreation.selectors.timeline import *  # noqa: F403
