"""Keep the translation files in step with the code:

    .venv/bin/python -m desktop.i18n update    # pyside6-lupdate: new tr() strings into the .ts
    .venv/bin/python -m desktop.i18n release   # pyside6-lrelease: the .ts compiled to the .qm

Translate the new entries of hotline_vi.ts (Qt Linguist, or by hand: fill <translation> and
drop type="unfinished"), then `release`, and commit both files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from desktop.i18n import DIRECTORY

PACKAGE = DIRECTORY.parent
TS_FILE = DIRECTORY / "hotline_vi.ts"
QM_FILE = DIRECTORY / "hotline_vi.qm"


def tool(name: str) -> str:
    """A PySide6 tool from the same environment as this Python."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (it comes with the PySide6 wheel)")
    return found


def sources() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py"))


def update(ts_file: Path = TS_FILE) -> None:
    subprocess.run([tool("pyside6-lupdate"), *sources(), "-ts", str(ts_file),  # noqa: S603 — a fixed argument list, no shell
                    "-source-language", "en", "-target-language", "vi", "-no-obsolete",
                    "-locations", "none"], check=True, cwd=PACKAGE.parent)


def release(ts_file: Path = TS_FILE, qm_file: Path = QM_FILE) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts_file), "-qm", str(qm_file)], check=True)  # noqa: S603 — a fixed argument list, no shell


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        release()
    elif argv == ["release"]:
        release()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
