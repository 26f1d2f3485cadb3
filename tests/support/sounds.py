"""A FreeSWITCH sounds folder for the checker's tests: the hotline's prompts (espeak-ng + sox,
as scripts/make-prompts makes them) and hold music where the music package puts it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from callcenter.switchconf.prompts import Prompts, render_prompts


def make_music(sounds_dir: Path) -> Path:
    """One second of music where freeswitch-music-default puts it ($${sounds_dir}/music/8000,
    the folder of conf/vanilla's local_stream.conf.xml `moh/8000` stream)."""
    folder = sounds_dir / "music" / "8000"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", str(folder / "suite.wav"), "synth",
                    "1", "sine", "440"], check=True)
    return folder


def make_sounds(sounds_dir: Path, prompts: Prompts, music: bool = True) -> Path:
    render_prompts(prompts, sounds_dir)
    if music:
        make_music(sounds_dir)
    return sounds_dir
