"""Small text helpers shared by forms, imports and code tables."""

import re

_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")


def split_list(text: str | None) -> list[str]:
    """Split a user-typed list ("司法局、就业局, 团县委") into clean items, keeping order, dropping blanks."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for part in _LIST_SEPARATORS.split(str(text)):
        part = part.strip()
        if part:
            seen.setdefault(part)
    return list(seen)
