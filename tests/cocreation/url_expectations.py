"""Expected answers of the co-creation record's URLs (see the modules imported here)."""

from tests.cocreation import (  # noqa: F401
    url_expectations_decisions,
    url_expectations_dialogue,
)
