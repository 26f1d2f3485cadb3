"""The README and docs/ stand alone and say only what is true of this repository: the README's
first block is the two commands CI and newcomers run; every link and picture resolves, to a
file of the repository and a heading that exists; nothing points outside it; every path named
in `code` exists; every command shown for `callcenter`, `hotline1022` or `hotline-desktop`
parses with the real command line; the Fidelity section, which the project's rule names, is
there."""

from __future__ import annotations

import glob
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.cli.main import build_parser
from tests.support.paths import ROOT_DIR

README = ROOT_DIR / "README.md"
DOCS = sorted((ROOT_DIR / "docs").glob("*.md"))
PAGES = [README, *DOCS]
FIRST_BLOCK = [
    "scripts/start    # set up, then the hotline on the built-in FreeSWITCH simulator: agent "
    "desktop (or wallboard)",
    "scripts/test     # set up, then ruff and the whole test suite (SQLite and PostgreSQL)",
]
# Folders of the repository a path in `code` starts with.
TOP = ("callcenter/", "db/", "desktop/", "protocol/", "rules/", "fsxml/", "scripts/", "tests/",
       "switch_conf/", "docs/", "deploy/", ".ci/")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT_DIR))


def prose(text: str) -> str:
    """The text outside fenced blocks."""
    return FENCE.sub("", text)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings: lower case, punctuation dropped, spaces to
    hyphens; a repeated heading gets -1, -2, …"""
    seen: dict[str, int] = {}
    out = set()
    for line in prose(page.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6} (.*)", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        out.add(slug if count == 0 else f"{slug}-{count}")
        seen[slug] = count + 1
    return out


def links(page: Path) -> Iterator[str]:
    yield from LINK.findall(prose(page.read_text(encoding="utf-8")))


def test_the_first_block_is_the_two_commands() -> None:
    language, body = FENCE.findall(README.read_text(encoding="utf-8"))[0]
    assert (language, body.splitlines()) == ("sh", FIRST_BLOCK)


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_link_resolves(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"^[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        there = file.is_relative_to(ROOT_DIR) and file.exists()
        if not there or (anchor and file.suffix == ".md" and anchor not in anchors(file)):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_nothing_points_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "../shared" not in text
    assert "DESIGN.md" not in text


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_path_named_exists(page: Path) -> None:
    missing = []
    for name in re.findall(r"`([^`\s]+)`", page.read_text(encoding="utf-8")):
        name = name.rstrip(".,;:")
        if not name.startswith(TOP) or "<" in name or "{" in name:
            continue
        found = glob.glob(name, root_dir=ROOT_DIR) if any(c in name for c in "*?[") else \
            [name] if (ROOT_DIR / name).exists() else []
        if not found:
            missing.append(name)
    assert missing == []


def commands(page: Path) -> Iterator[tuple[str, list[str]]]:
    """Each command line of the page's sh and bat blocks that runs `callcenter`, `hotline1022`
    or `hotline-desktop`: (the program, its arguments), continuation lines joined."""
    for language, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if language not in ("sh", "bat"):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True, posix=True)
            if not words or "=" in words[0]:
                continue  # nothing, or a variable's assignment
            program = re.split(r"[\\/]", words[0])[-1]
            if program in ("callcenter", "hotline1022", "hotline-desktop"):
                yield program, words[1:]


def test_the_readme_shows_commands() -> None:
    shown = {program for program, _ in commands(README)}
    assert shown == {"hotline1022", "hotline-desktop"}


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_command_shown_parses(page: Path) -> None:
    for program, arguments in commands(page):
        if program == "hotline-desktop":
            from desktop.app import build_parser as desktop_parser

            desktop_parser().parse_args(arguments)
        else:
            build_parser().parse_args(arguments)  # SystemExit(2) on an unknown command


def test_the_fidelity_section_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    assert "fidelity" in anchors(README)
    section = text[text.index("\n## Fidelity\n"):]
    for part in ("*Captured*", "*From source*", "*Still guesses*", "*Known differences*"):
        assert part in section
