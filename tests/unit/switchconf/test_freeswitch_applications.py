"""scripts/freeswitch-applications: switch_conf/applications.toml regenerated from FreeSWITCH's
source (SWITCH_ADD_APP / SWITCH_ADD_API lines, by module), here on a small made-up tree."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from callcenter.switchconf.app_source import Source, checkout_files, module_of, scan, to_toml
from callcenter.switchconf.modules import APPLICATIONS_FILE
from tests.support.paths import ROOT_DIR

DPTOOLS = '''
SWITCH_MODULE_LOAD_FUNCTION(mod_dptools_load)
{
    SWITCH_ADD_APP(app_interface, "answer", "Answer the call", "Answer the call for a channel.",
                   answer_function, "", SAF_SUPPORT_NOMEDIA);
    // SWITCH_ADD_APP(app_interface, "commented_out", "", "", f, "", SAF_NONE);
    /* SWITCH_ADD_APP(app_interface, "in_a_block", "", "", f, "", SAF_NONE); */
    SWITCH_ADD_API(api_interface, "strftime", "strftime", strftime_api_function, "<format>");
}
'''
CONFERENCE = '''
const char *mod_conference_app_name = "conference";
    SWITCH_ADD_APP(app_interface, mod_conference_app_name, mod_conference_app_name, NULL,
                   conference_function, NULL, SAF_SUPPORT_TEXT_ONLY);
'''


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_registrations_by_module(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "src/mod/applications/mod_dptools/mod_dptools.c": DPTOOLS,
        "src/mod/applications/mod_conference/mod_conference.c": CONFERENCE,
        "src/switch_msrp.c": 'SWITCH_ADD_APP(app_interface, "msrp_recv_file", "", "", f, "", 0);',
        "libs/other/x.c": 'SWITCH_ADD_APP(app_interface, "not_freeswitch", "", "", f, "", 0);'})
    found = scan(checkout_files(root))
    assert found.applications == {"core": ["msrp_recv_file"], "mod_conference": ["conference"],
                                  "mod_dptools": ["answer"]}
    assert found.apis == {"mod_dptools": ["strftime"]}
    assert module_of("src/mod/endpoints/mod_sofia/sofia_glue.c") == "mod_sofia"


def test_the_file_records_versions_and_differences(tmp_path: Path) -> None:
    old = scan([("src/mod/applications/mod_x/mod_x.c",
                 'SWITCH_ADD_APP(a, "gone", "", "", f, "", 0);\n'
                 'SWITCH_ADD_APP(a, "kept", "", "", f, "", 0);')])
    new = scan([("src/mod/applications/mod_x/mod_x.c",
                 'SWITCH_ADD_APP(a, "kept", "", "", f, "", 0);')])
    text = to_toml([Source("v1", "a" * 40, old), Source("v2", "b" * 40, new)], "made by hand")
    data = tomllib.loads(text)
    assert data["source"]["commits"] == {"v1": "a" * 40, "v2": "b" * 40}
    assert data["modules"] == {"mod_x": ["gone", "kept"]}
    assert data["absent_in"]["v2"]["modules"] == {"mod_x": ["gone"]}


def test_the_script_writes_the_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "fs", {"src/mod/applications/mod_dptools/mod_dptools.c": DPTOOLS})
    out = tmp_path / "applications.toml"
    script = ROOT_DIR / "scripts" / "freeswitch_applications.py"
    done = subprocess.run([sys.executable, str(script), f"here={root}", "--out", str(out)],
                          capture_output=True, text=True, check=True)
    assert "here (unknown): 1 applications" in done.stdout
    assert tomllib.loads(out.read_text())["modules"] == {"mod_dptools": ["answer"]}


def test_the_shipped_list_comes_from_1_10_and_master() -> None:
    data = tomllib.loads(APPLICATIONS_FILE.read_text())
    assert set(data["source"]["commits"]) == {"v1.10.12", "master"}
    assert "scripts/freeswitch-applications" in data["source"]["produced_by"]
    assert "acknowledge_call" in data["modules"]["mod_dptools"]
    assert {"play_fsv", "record_fsv"} <= set(data["modules"]["mod_fsv"])
