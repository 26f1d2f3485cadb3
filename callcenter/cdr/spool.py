"""The spool folder mod_json_cdr writes to, as files: which are ready to read, and where a file
goes once read. A file is moved only after what it says is in the database, so a crash leaves
it to be read again (the import is idempotent by uuid); a file is never deleted."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# FIDELITY: from source — mod_json_cdr.c my_on_reporting ("%s%s.cdr.json": no a_ prefix with
# prefix-a-leg false) and process_cdr (open O_TRUNC, write, close: not atomic)
SUFFIX = ".cdr.json"
IMPORTED, REJECTED = "imported", "rejected"
# Waited past a file's settling before the spool is read again, so that the file is surely
# settled by then (a timer may fire a little early; the times are rounded floats).
SETTLE_MARGIN = 0.25


@dataclass(frozen=True)
class Scan:
    """What one look at the spool found: the files ready to read, oldest first (at most
    `limit`), and the modification time of the youngest file still settling (None: none)."""

    ready: list[Path]
    settling: float | None


def scan(spool: Path, settle_seconds: float, now: float, limit: int) -> Scan:
    """CDR files untouched for `settle_seconds`, oldest first. mod_json_cdr writes each one in
    place (process_cdr: open with O_TRUNC, write, close), so a younger file may be half
    written: it is left for a later run, and its time said so the run can come back for it."""
    found, settling = [], None
    with os.scandir(spool) as entries:
        for entry in entries:
            if not entry.name.endswith(SUFFIX) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                mtime = entry.stat(follow_symlinks=False).st_mtime
            except FileNotFoundError:
                continue
            if now - mtime >= settle_seconds:
                found.append((mtime, entry.name))
            elif settling is None or mtime > settling:
                settling = mtime
    return Scan([spool / name for _, name in sorted(found)[:limit]], settling)


def follow_up(settling: float | None, now: float, settle_seconds: float,
              import_seconds: float, margin: float = SETTLE_MARGIN) -> float | None:
    """Pure: seconds to wait before reading the spool again for the files still settling (the
    youngest of them settled, and `margin`), or None when the regular pass, `import_seconds`
    away, comes as soon (no file settling, or one dated in the future by a clock step)."""
    if settling is None:
        return None
    wait = max(0.0, settling + settle_seconds - now) + margin
    return wait if wait < import_seconds else None


def move(path: Path, folder: str) -> Path:
    """Into `imported/` or `rejected/` beside it (a rename: atomic, same file system)."""
    target = path.parent / folder
    target.mkdir(mode=0o750, exist_ok=True)  # calls' data: not for other users
    os.replace(path, target / path.name)
    return target / path.name
