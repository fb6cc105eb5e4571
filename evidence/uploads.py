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
import os
import threading

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser

from evidence.file_checks import max_upload_bytes

# Room for the form's other fields and the multipart headers around the file.
BODY_OVERHEAD_BYTES = 1024 * 1024
READ_AHEAD_BYTES = 1024 * 1024
# Start writing the temporary file back to disk every this many bytes, on a helper thread, so that
# the final fdatasync has little left to do (the disk works while the body is still arriving).
SYNC_STEP_BYTES = 4 * 1024 * 1024


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


class _BackgroundSync:
    """fdatasync a file on a helper thread while it is still being written.

    Each round works on its own duplicate of the descriptor, so the file may be closed (an
    interrupted upload) while a round runs. ``finish`` waits for the running round and then
    syncs what is left in the calling thread: when it returns, every byte written before it
    was called is on disk. A write-back error seen by a round is raised by ``finish``: the
    duplicate shares the open file, so the kernel would not report that error a second time.
    """

    def __init__(self, fileno: int):
        self._fileno = fileno
        self._thread: threading.Thread | None = None
        self._error: OSError | None = None

    def kick(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        descriptor = os.dup(self._fileno)
        self._thread = threading.Thread(
            target=self._sync, args=(descriptor,), name="evidence-sync", daemon=True
        )
        self._thread.start()

    def _sync(self, descriptor: int) -> None:
        try:
            os.fdatasync(descriptor)
        except OSError as error:
            self._error = self._error or error
        finally:
            os.close(descriptor)

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def finish(self) -> None:
        self.wait()
        if self._error is not None:
            raise self._error
        os.fdatasync(self._fileno)


class _ClientNameMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name):
        # Keep the name as sent; evidence.file_checks.clean_filename refuses unsafe ones with a
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
        self._unsynced = 0
        self._sync = _BackgroundSync(self.file.fileno())

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self.too_large.append(self.file_name)
            self._sync.wait()
            raise SkipFile
        self._hash.update(raw_data)
        self.file.write(raw_data)
        self._unsynced += len(raw_data)
        if self._unsynced >= SYNC_STEP_BYTES:
            self._unsynced = 0
            self.file.flush()
            self._sync.kick()
        return None

    def file_complete(self, file_size):
        self.file.flush()
        # On disk before the file is moved into the vault: the move is a rename, after which
        # evidence.services._flush_to_disk only finds the directory entry left to sync.
        self._sync.finish()
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self._hash.hexdigest()
        return self.file

    def upload_interrupted(self):
        if hasattr(self, "file"):
            sync = getattr(self, "_sync", None)
            if sync is not None:
                sync.wait()
            self.file.close()
