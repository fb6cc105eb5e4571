"""Where files go: local disk by default, S3-compatible storage by configuration alone."""

import json
import os
import subprocess
import sys

from django.conf import settings
from django.core.files.storage import storages

from evidence.storage import LocalEvidenceStorage


def storage_config(**env) -> dict:
    """Return settings.STORAGES["evidence"] as a fresh process with ``env`` sees it."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from django.core.files.storage import storages; "
        "storage = storages['evidence']; "
        "print(json.dumps({**settings.STORAGES['evidence'], "
        "'class': type(storage).__name__, 'bucket': getattr(storage, 'bucket_name', None)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "pal_portal.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_local_storage_follows_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "otra"

    storage = storages["evidence"]

    assert isinstance(storage, LocalEvidenceStorage)
    assert storage.location == str(tmp_path / "otra" / "evidence")


def test_s3_is_chosen_by_environment_variables_only():
    config = storage_config(
        EVIDENCE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="pal-evidencia",
        AWS_S3_ENDPOINT_URL="https://minio.example.mx",
        AWS_S3_REGION_NAME="us-east-1",
    )

    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (config["class"], config["bucket"]) == ("S3Storage", "pal-evidencia")
    options = config["OPTIONS"]
    assert options["bucket_name"] == "pal-evidencia"
    assert options["endpoint_url"] == "https://minio.example.mx"
    assert options["location"] == "evidence"
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
