"""Bounds of what is typed into the evidence vault, in one place.

The model fields carry the text lengths, so the forms and the services refuse the same values
with the same message. File rules (formats, size, names) live in ``evidence.file_checks``.
"""

# What a file is, in a line: «Acta firmada de la sesión de instalación».
DESCRIPTION_MAX_LENGTH = 500
# Why a file was withdrawn: a paragraph or two.
REASON_MAX_LENGTH = 2_000
# Files sent in one upload: enough for a session's acta, attendance list and photographs.
MAX_FILES_PER_UPLOAD = 20
