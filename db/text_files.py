"""Text files an administrator gives the hotline (topics, administrative units): read as UTF-8,
also when an editor saved them with a byte-order mark (Excel's "CSV UTF-8") or as UTF-16 (some
Windows editors' "Unicode"); anything else is refused with where it stops being text."""

from __future__ import annotations

import codecs
from pathlib import Path

from db.errors import DataError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: {exc}") from exc
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not {encoding.upper().replace('-SIG', '')} text (byte "
                        f"0x{raw[exc.start]:02x} at offset {exc.start}): save it as UTF-8"
                        ) from None
