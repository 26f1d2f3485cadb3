"""The hotline's prompts: their text (switch_conf/prompts.toml), their file names (the contract
between the dialplan, the static menu and the daemon), and rendering them with espeak-ng and sox
into FreeSWITCH's sounds layout."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from db.errors import DataError
from db.topics import TopicSpec


@dataclass(frozen=True)
class Prompts:
    texts: dict[str, str]  # name → Vietnamese text
    directory: str  # below the sounds dir: vi/vn/espeak
    category: str  # hotline
    rates: tuple[int, ...]
    voice_language: str

    @property
    def file(self) -> dict[str, str]:
        """name → what the dialplan plays (relative to sound_prefix): hotline/<name>.wav."""
        return {name: f"{self.category}/{name}.wav" for name in self.texts}

    def paths(self, sounds_dir: Path) -> list[Path]:
        """Every file FreeSWITCH looks for: <sounds>/<dir>/<category>/<rate>/<name>.wav."""
        base = sounds_dir / self.directory / self.category
        return [base / str(rate) / f"{name}.wav" for name in self.texts for rate in self.rates]


# espeak-ng pads each prompt with ~0.2 s of silence at both ends: cut it (sox's `silence` from
# the start, reversed, from the end), so the menu's greetings add no dead air to the wait.
TRIM_SILENCE = ("silence", "1", "0.02", "0.1%", "reverse", "silence", "1", "0.02", "0.1%",
                "reverse")


def load_prompts(path: Path, topics: list[TopicSpec]) -> Prompts:
    """The prompts, with `greeting_long` built from the menu choices of the topics and the
    topics' keys said in `greeting_short` (its `{keys}`: "1, 2 hoặc 3")."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{path}: {exc}") from exc
    texts = dict(data.get("prompt", {}))
    choices = data.get("choice", {})
    keyed = sorted((t for t in topics if t.menu_key), key=lambda t: t.menu_key or "")
    missing = [t.key for t in keyed if t.key not in choices]
    if missing:
        raise DataError(f"{path}: no [choice] text for topic {', '.join(missing)}")
    menu = [f"Ấn phím {t.menu_key}: {choices[t.key]}" for t in keyed]
    texts["greeting_long"] = " ".join([texts.pop("greeting_intro", ""), *menu]).strip()
    keys = [t.menu_key or "" for t in keyed]
    said = " hoặc ".join([", ".join(keys[:-1]), keys[-1]] if len(keys) > 1 else keys)
    texts["greeting_short"] = texts.get("greeting_short", "{keys}").replace("{keys}", said)
    for n, word in enumerate(data.get("numbers", {}).get("words", []), start=1):
        texts[f"number_{n}"] = word
    directory = f"{data.get('language', 'vi')}/{data.get('country', 'vn')}/" \
                f"{data.get('voice', 'espeak')}"
    return Prompts(texts, directory, data.get("category", "hotline"),
                   tuple(data.get("rates", [8000, 16000])), data.get("language", "vi"))


def render_prompts(prompts: Prompts, sounds_dir: Path, *, only_missing: bool = False,
                   ) -> list[Path]:
    """Speak every prompt with espeak-ng and resample it with sox; returns the files written."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise DataError(f"{tool} is not installed (Debian: apt-get install espeak-ng sox)")
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in prompts.texts.items():
            spoken = Path(tmp) / f"{name}.wav"
            targets = [sounds_dir / prompts.directory / prompts.category / str(rate) /
                       f"{name}.wav" for rate in prompts.rates]
            if only_missing and all(t.exists() for t in targets):
                continue
            subprocess.run(["espeak-ng", "-v", prompts.voice_language, "-s", "150",  # noqa: S603, S607 — a fixed argument list, no shell; a tool found on PATH, as its docs say to run it
                            "-w", str(spoken), text], check=True, capture_output=True)
            for rate, target in zip(prompts.rates, targets, strict=True):
                target.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(["sox", str(spoken), "-r", str(rate), "-c", "1", "-b", "16",  # noqa: S603, S607 — a fixed argument list, no shell; a tool found on PATH, as its docs say to run it
                                str(target), *TRIM_SILENCE, "gain", "-n", "-3"], check=True,
                               capture_output=True)
                written.append(target)
    return written
