"""Text typed by people, made safe to show beside the portal's own, and names compared."""

import unicodedata

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the invisible direction
# marks (LRM, RLM, ALM): typed into a name or label they reverse or reorder the portal's own text
# wherever that name is shown.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_WITHOUT_BIDI_CONTROLS = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi_controls(text: str) -> str:
    """Return ``text`` without bidirectional control characters."""
    return text.translate(_WITHOUT_BIDI_CONTROLS)


def comparable_name(name: str) -> str:
    """Return a person's name folded for comparison: no accents, no case, single spaces.

    "Luis Hernández  Cruz" and "luis hernandez cruz" compare equal.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())
