"""The spool folder mod_json_cdr writes to, as files: which are ready to read, and where a file
goes once read. A file is moved only after what it says is in the database, so a crash leaves
it to be read again (the import is idempotent by uuid); a file is never deleted."""

from __future__ import annotations

import os
from pathlib import Path

# FIDELITY: from source — mod_json_cdr.c my_on_reporting ("%s%s.cdr.json": no a_ prefix with
# prefix-a-leg false) and process_cdr (open O_TRUNC, write, close: not atomic)
SUFFIX = ".cdr.json"
IMPORTED, REJECTED = "imported", "rejected"


def ready(spool: Path, settle_seconds: float, now: float, limit: int) -> list[Path]:
    """CDR files untouched for `settle_seconds`, oldest first. mod_json_cdr writes each one in
    place (process_cdr: open with O_TRUNC, write, close), so a younger file may be half
    written: it waits for the next run."""
    found = []
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
    return [spool / name for _, name in sorted(found)[:limit]]


def move(path: Path, folder: str) -> Path:
    """Into `imported/` or `rejected/` beside it (a rename: atomic, same file system)."""
    target = path.parent / folder
    target.mkdir(exist_ok=True)
    os.replace(path, target / path.name)
    return target / path.name
