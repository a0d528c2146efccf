"""Action and theme refs as people read them."""

from __future__ import annotations

import re

_PARTS = re.compile(r"[.\-]")


def ref_key(ref: str) -> tuple[tuple[int, int | str], ...]:
    """Sort refs as people read them: 4.2 before 4.10, numbers before letters, and letters
    whatever their case (4.1a and 4.1A sort together)."""
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in _PARTS.split(ref))
