"""Find the line of a field in a TOML text, so errors found after parsing can name it.

TOML parsers drop positions, and a checked scenario only knows field paths such as
``agreements[0].zones[1].area``. This walks the text the way the path walks the data:
array-of-tables headers by count, sub-tables by header, keys by ``key =``. It stops at
the deepest part it can place, which for an inline value is the line of its key.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"([A-Za-z_][\w-]*)|\[(\d+)\]")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]\s]+)\s*\]\]?")


def _header(line: str) -> str | None:
    match = _HEADER.match(line)
    return match.group(1) if match else None


def _is_array_header(line: str, path: str) -> bool:
    return line.lstrip().startswith("[[") and _header(line) == path


def _is_table_header(line: str, path: str) -> bool:
    return not line.lstrip().startswith("[[") and _header(line) == path


def _block_end(lines: list[str], start: int, end: int, path: str) -> int:
    """Where the table opened at ``start`` ends: at the next header outside ``path``."""
    for n in range(start + 1, end):
        name = _header(lines[n])
        if name is not None and not name.startswith(path + "."):
            return n
    return end


def line_of(text: str, field: str | None) -> int | None:
    """The 1-based line of ``field`` (a path like ``actors[3].aliases[0].lang``), if found."""
    if not field:
        return None
    tokens = _TOKEN.findall(field)
    lines = text.splitlines()
    start, end, prefix, found = 0, len(lines), "", None
    i = 0
    while i < len(tokens) and tokens[i][0]:
        name = tokens[i][0]
        path = f"{prefix}.{name}" if prefix else name
        index = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if index:
            heads = [n for n in range(start, end) if _is_array_header(lines[n], path)]
            if heads:
                if int(index) >= len(heads):
                    break
                start = heads[int(index)]
                end = _block_end(lines, start, end, path)
                prefix, found, i = path, start + 1, i + 2
                continue
        key = re.compile(rf"^\s*{re.escape(name)}\s*=")
        hit = next((n for n in range(start + (1 if prefix else 0), end)
                    if key.match(lines[n]) or _is_table_header(lines[n], path)), None)
        if hit is None:
            break
        found = hit + 1
        if not _is_table_header(lines[hit], path):
            break  # an inline value: its key's line is as precise as we get
        start, end = hit, _block_end(lines, hit, end, path)
        prefix, i = path, i + 1
    return found
