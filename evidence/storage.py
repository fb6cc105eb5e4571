"""Where evidence files live: the ``evidence`` storage alias of settings.STORAGES."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property


class LocalEvidenceStorage(FileSystemStorage):
    """Local disk under MEDIA_ROOT/evidence, following MEDIA_ROOT when it changes (as in tests).

    Nothing here is served by URL: MEDIA_URL points nowhere and files leave only through the
    permission-checked download view.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, os.path.join(settings.MEDIA_ROOT, "evidence"))


def evidence_storage():
    """Return the storage evidence files are kept in (a callable, so migrations stay stable)."""
    return storages["evidence"]
