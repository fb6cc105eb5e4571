"""Receive evidence uploads: straight to disk, hashed on the way, stopped at the size limit.

The upload views install :class:`EvidenceUploadHandler` before the request body is read. Each file
part is written to a temporary file in chunks while its SHA-256 is computed, so memory stays flat
whatever the size; a part past ``EVIDENCE_MAX_UPLOAD_BYTES`` is dropped on the spot and only its
name is kept to tell the user. The handler also keeps the file name exactly as the client sent
it (Django would silently strip path parts and control characters), so that an unsafe name is
refused with a message rather than quietly renamed.
"""

from __future__ import annotations

import hashlib
import html

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser

from evidence.validation import DEFAULT_MAX_UPLOAD_BYTES

# Room for the form's other fields and the multipart headers around the file.
BODY_OVERHEAD_BYTES = 1024 * 1024
READ_AHEAD_BYTES = 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def limit_label() -> str:
    """Return the size limit as people read it, e.g. "50 MB"."""
    limit = max_upload_bytes()
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit / 1024:g} KB"
    return f"{limit} bytes"


def max_body_bytes() -> int:
    """Return the largest request body an upload view reads at all."""
    return max_upload_bytes() + BODY_OVERHEAD_BYTES


class HashedUploadedFile(TemporaryUploadedFile):
    """An upload on disk whose SHA-256 and client-given name were recorded while it streamed in."""

    sha256: str = ""
    client_name: str = ""


class _ReadAhead:
    """Read the request body from the server in large pieces; hand it out in smaller ones.

    gunicorn copies its buffer on every read, and Django's multipart parser slows down with
    large pieces: reading 1 MiB from the one and giving 256 KiB to the other suits both.
    """

    def __init__(self, stream, size: int):
        self._stream = stream
        self._size = size
        self._buffer = memoryview(b"")
        self._offset = 0

    def read(self, size=-1):
        if self._offset >= len(self._buffer):
            self._buffer = memoryview(self._stream.read(self._size))
            self._offset = 0
        end = len(self._buffer) if size is None or size < 0 else self._offset + size
        piece = self._buffer[self._offset : end].tobytes()
        self._offset += len(piece)
        return piece


class _ClientNameMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name):
        # Keep the name as sent; evidence.validation.clean_filename refuses unsafe ones with a
        # message. UploadedFile still reduces ``.name`` to a basename; ``.client_name`` keeps it.
        return html.unescape(file_name) or None


class EvidenceUploadHandler(FileUploadHandler):
    """Write each file part to a temporary file, hashing it, and skip parts over the limit."""

    # 256 KiB: larger pieces slow down the boundary search of Django's multipart parser.
    chunk_size = 256 * 1024

    def __init__(self, request=None, *, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_upload_bytes() if max_bytes is None else max_bytes
        self.too_large: list[str] = []
        self._parsing = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self._parsing:
            return None
        self._parsing = True
        parser = _ClientNameMultiPartParser(
            META, _ReadAhead(input_data, READ_AHEAD_BYTES), [self], encoding
        )
        return parser.parse()

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        # A neutral name for the temporary file: the client's may hold NUL or path separators.
        self.file = HashedUploadedFile(
            "evidencia", self.content_type, 0, self.charset, self.content_type_extra
        )
        try:
            self.file.name = file_name
        except SuspiciousFileOperation:  # "..": refused later, with a message, by its client name
            self.file.name = "evidencia"
        self.file.client_name = file_name
        self._hash = hashlib.sha256()
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self.too_large.append(self.file_name)
            raise SkipFile
        self._hash.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.flush()
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self._hash.hexdigest()
        return self.file

    def upload_interrupted(self):
        if hasattr(self, "file"):
            self.file.close()
