"""switch_conf on a stock FreeSWITCH tree (issue 11, defects 5 and 6, and the hold music): the
modules the hotline needs are enabled by the installer with the smallest edit of the operator's
real modules.conf.xml and checked by the checker; the checker passes real conf/vanilla files
plus ours and reports only real faults; the hold music is seen by both."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from callcenter.config import Settings
from callcenter.sim.stock_tree import STOCK, VERSIONS, stock_tree, vanilla_tree
from callcenter.switchconf.check import check, known_applications
from callcenter.switchconf.install import MANIFEST, install
from callcenter.switchconf.modules import needed_modules
from callcenter.switchconf.modules_conf import MODULES_CONF, enable_modules, loaded_modules
from callcenter.switchconf.render import HOLD_TONE, render_site
from fsxml.conf_tree import tree_globals
from fsxml.fragments import parse_fragment
from tests.support.sounds import make_sounds

# What the issue names; the derivation must find at least these.
REQUIRED = {"mod_callcenter", "mod_event_socket", "mod_sofia", "mod_dptools", "mod_dialplan_xml",
            "mod_sndfile", "mod_local_stream", "mod_commands", "mod_json_cdr"}


def _settings(**site: object) -> Settings:
    return Settings(switch={"password": "esl-s3cret"}, site=site)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _files, prompts = render_site(_settings())
    return make_sounds(tmp_path_factory.mktemp("sounds"), prompts)


def _stock_modules(version: str) -> str:
    return (STOCK / version / MODULES_CONF).read_bytes().decode("utf-8")


# -- defect 5: the modules -------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_the_stock_modules_conf_leaves_mod_callcenter_out(version: str) -> None:
    text = _stock_modules(version)
    loaded = loaded_modules(text)
    assert "<!--<load module=\"mod_callcenter\"/>-->" in text
    assert "mod_callcenter" not in loaded and "mod_json_cdr" not in loaded
    assert {"mod_sofia", "mod_event_socket", "mod_dptools", "mod_commands"} <= set(loaded)


def test_the_modules_follow_what_the_configuration_uses(tmp_path: Path) -> None:
    files, _ = render_site(_settings())
    stock = tree_globals(stock_tree(tmp_path))
    needed = needed_modules(files, stock)
    assert set(needed) >= REQUIRED, needed
    # the IVR's pause after a try (silence_stream://), not a tone: the hold music is a file
    assert needed["mod_tone_stream"] == "silence_stream:// (the daemon's IVR)"
    assert "mod_local_stream" in needed
    assert "application callcenter" in needed["mod_callcenter"] or \
        "callcenter_config" in needed["mod_callcenter"]
    toned, _ = render_site(_settings(hold_music="tone"))
    needed = needed_modules(toned, stock)
    assert "mod_tone_stream" in needed and "mod_local_stream" not in needed


@pytest.mark.parametrize("version", VERSIONS)
def test_install_enables_the_modules_with_the_smallest_edit(tmp_path: Path,
                                                            version: str) -> None:
    conf = stock_tree(tmp_path, version)
    files, _ = render_site(_settings())
    changes = [(c.action, c.module) for c in install(files, conf, force=True) if c.module]
    assert changes == [("enabled", "mod_callcenter"), ("added", "mod_json_cdr")]
    after = (conf / MODULES_CONF).read_bytes().decode("utf-8")
    # the only differences: mod_callcenter's line uncommented, mod_json_cdr's added
    assert after == _with_json_cdr(_stock_modules(version))
    assert set(loaded_modules(after)) >= set(needed_modules(files, tree_globals(conf)))
    manifest = json.loads((conf / MANIFEST).read_text())
    assert manifest["modules"] == {"enabled": ["mod_callcenter"], "added": ["mod_json_cdr"]}
    again = [c for c in install(files, conf) if c.path == MODULES_CONF]
    assert [c.action for c in again] == ["unchanged"]
    assert (conf / MODULES_CONF).read_bytes().decode("utf-8") == after


def _with_json_cdr(stock: str) -> str:
    """The stock text with mod_callcenter uncommented and mod_json_cdr's line added as the last
    line before </modules>."""
    lines = stock.replace('<!--<load module="mod_callcenter"/>-->',
                          '<load module="mod_callcenter"/>').split("\n")
    closing = next(i for i, line in enumerate(lines) if line.strip() == "</modules>")
    lines.insert(closing, '    <load module="mod_json_cdr"/>')
    return "\n".join(lines)


def test_enabling_keeps_every_other_byte() -> None:
    text = ('<configuration name="modules.conf">\r\n  <modules>\r\n'
            '\t<load module="mod_sofia"/>\r\n\t<!-- <load module="mod_callcenter"/> -->\r\n'
            '\t<!-- <load module="mod_a"/> <load module="mod_json_cdr"/> -->\r\n'
            '  </modules>\r\n</configuration>\r\n')
    edit = enable_modules(text, ["mod_sofia", "mod_callcenter", "mod_json_cdr"])
    assert edit.text == text.replace('<!-- <load module="mod_callcenter"/> -->',
                                     '<load module="mod_callcenter"/>').replace(
        "  </modules>", '\t<load module="mod_json_cdr"/>\r\n  </modules>')
    assert (edit.enabled, edit.added) == (["mod_callcenter"], ["mod_json_cdr"])


def test_install_without_modules_conf_says_so(tmp_path: Path) -> None:
    conf = stock_tree(tmp_path)
    (conf / MODULES_CONF).unlink()
    files, _ = render_site(_settings())
    missing = [c for c in install(files, conf, force=True) if c.path == MODULES_CONF]
    assert [c.action for c in missing] == ["missing"] and missing[0].failed
    assert "mod_callcenter" in str(missing[0])


@pytest.mark.parametrize("module", ["mod_callcenter", "mod_event_socket"])
def test_checker_reports_a_needed_module_not_loaded(tmp_path: Path, sounds: Path,
                                                    module: str) -> None:
    conf = stock_tree(tmp_path)
    files, prompts = render_site(_settings())
    install(files, conf, force=True)
    path = conf / MODULES_CONF
    path.write_text(path.read_text().replace(f'<load module="{module}"/>',
                                             f'<!--<load module="{module}"/>-->'))
    problems = check(conf, prompts, sounds)
    assert [(p.rule, p.path) for p in problems] == [("module", MODULES_CONF)]
    assert f"{module} is not loaded" in problems[0].message


def test_checker_reports_a_missing_json_cdr_conf(tmp_path: Path, sounds: Path) -> None:
    """Without json_cdr.conf mod_json_cdr writes into its own default folder: the calls the
    daemon missed would never be imported."""
    conf = stock_tree(tmp_path)
    files, prompts = render_site(_settings())
    install(files, conf, force=True)
    assert check(conf, prompts, sounds) == []
    (conf / "autoload_configs" / "json_cdr.conf.xml").unlink()
    problems = check(conf, prompts, sounds)
    assert [(p.rule, p.path) for p in problems] == [("cdr",
                                                     "autoload_configs/json_cdr.conf.xml")]
    assert "reload mod_json_cdr" in problems[0].message


@pytest.mark.parametrize("version", VERSIONS)
def test_checker_reports_the_stock_domain(tmp_path: Path, sounds: Path, version: str) -> None:
    """The stock vars.xml makes the machine's address the switch's domain: the agents'
    phones (A1 hashes made with [site] domain) would not register."""
    conf = vanilla_tree(tmp_path, version, domain=None)
    files, prompts = render_site(_settings())
    install(files, conf, force=True)
    problems = check(conf, prompts, sounds)
    assert [(p.rule, p.path) for p in problems] == [("domain", "vars.xml")]
    assert 'data="domain=hotline1022"' in problems[0].message


def test_checker_cannot_tell_a_domain_that_is_the_machines_address(tmp_path: Path,
                                                                   sounds: Path) -> None:
    conf = stock_tree(tmp_path, domain=None)
    files, prompts = render_site(_settings(domain="10.0.0.5"))
    install(files, conf, force=True)
    assert check(conf, prompts, sounds) == []


# -- defect 6: a stock tree ------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_checker_passes_a_stock_tree_plus_ours(tmp_path: Path, sounds: Path,
                                               version: str) -> None:
    """The operator's tree: real conf/vanilla files (13 false problems on master's before
    issue 11, 16 on 1.10.12's), the hotline installed, prompts and music in place."""
    conf = vanilla_tree(tmp_path, version)
    files, prompts = render_site(_settings())
    assert not [c for c in install(files, conf, force=True) if c.failed]
    assert check(conf, prompts, sounds) == []


def test_the_application_list_has_what_stock_files_use() -> None:
    known = known_applications()
    assert {"acknowledge_call", "record_fsv", "play_fsv", "javascript", "callcenter",
            "socket", "play_and_get_digits"} <= known
    assert "skinny-process" not in known  # mod_skinny's own words, not registered apps


def test_autoload_files_are_fragments(tmp_path: Path, sounds: Path) -> None:
    """av.conf.xml holds two <configuration>s: FreeSWITCH splices it in; a real fault is still
    caught, in a stock file too."""
    conf = vanilla_tree(tmp_path, VERSIONS[0])
    av = conf / "autoload_configs" / "av.conf.xml"
    assert len(parse_fragment(av.read_text()).findall("configuration")) == 2
    with pytest.raises(ET.ParseError):
        ET.fromstring(av.read_bytes())
    files, prompts = render_site(_settings())
    install(files, conf, force=True)
    av.write_text(av.read_text().replace("</profiles>", "</profile>", 1))
    assert [(p.rule, p.path) for p in check(conf, prompts, sounds)] == [
        ("xml", "autoload_configs/av.conf.xml")]


def test_stock_files_are_not_linted_but_ours_are(tmp_path: Path, sounds: Path) -> None:
    conf = vanilla_tree(tmp_path, VERSIONS[0])
    files, prompts = render_site(_settings())
    install(files, conf, force=True)
    menu = conf / "ivr_menus" / "hotline_1022.xml"
    menu.write_text(menu.read_text().replace('param="transfer hotline_queue_f0',
                                             'param="skinny-process hotline_queue_f0'))
    assert [(p.rule, p.path) for p in check(conf, prompts, sounds)] == [
        ("application", "ivr_menus/hotline_1022.xml")]


# -- hold music ------------------------------------------------------------------------------

def test_missing_music_is_reported_with_what_to_install(tmp_path: Path) -> None:
    conf = stock_tree(tmp_path / "tree")
    files, prompts = render_site(_settings())
    install(files, conf, force=True)
    bare = make_sounds(tmp_path / "sounds", prompts, music=False)
    problems = check(conf, prompts, bare)
    assert [(p.rule, p.path) for p in problems] == [
        ("hold-music", "autoload_configs/callcenter.conf.xml")]
    assert "local_stream://moh" in problems[0].message
    assert "freeswitch-music-default" in problems[0].message
    assert 'hold_music = "tone"' in problems[0].message
    (conf / "autoload_configs" / "local_stream.conf.xml").unlink()
    assert "no stream 'moh'" in check(conf, prompts, bare)[0].message


def test_hold_tone_needs_no_music(tmp_path: Path) -> None:
    conf = stock_tree(tmp_path / "tree")
    files, prompts = render_site(_settings(hold_music="tone"))
    install(files, conf, force=True)
    queues = parse_fragment((conf / "autoload_configs" / "callcenter.conf.xml").read_text())
    assert {p.get("value") for p in queues.iter("param") if p.get("name") == "moh-sound"} == {
        HOLD_TONE}
    bare = make_sounds(tmp_path / "sounds", prompts, music=False)
    assert check(conf, prompts, bare) == []


def test_install_command_prints_modules_and_hold_music(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from callcenter.cli.main import main

    monkeypatch.setenv("CALLCENTER_SWITCH__PASSWORD", "esl-s3cret")
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    conf = vanilla_tree(tmp_path, "master", domain=None)
    sounds = tmp_path / "sounds"
    assert main(["switch-conf", "install", "--conf-dir", str(conf), "--force",
                 "--sounds-dir", str(sounds)]) == 0
    out = capsys.readouterr().out
    assert f"enabled   {MODULES_CONF} (mod_callcenter: was commented out)" in out
    assert f'added     {MODULES_CONF} (<load module="mod_json_cdr"/>)' in out
    assert "fs_cli -x 'load mod_callcenter'; fs_cli -x 'load mod_json_cdr'" in out
    assert "warning   hold music: local_stream://moh" in out
    assert "warning   domain: the switch's domain is the machine's address" in out
    assert main(["switch-conf", "check", str(conf), "--sounds-dir", str(sounds)]) == 1
    assert "2 problem(s)" in capsys.readouterr().out
