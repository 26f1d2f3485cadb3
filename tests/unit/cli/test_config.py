from pathlib import Path

import pytest

from callcenter.config import ConfigError, load_settings, render


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "callcenter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    settings = load_settings()
    assert (settings.switch.host, settings.switch.port) == ("127.0.0.1", 8021)
    assert settings.site.timezone == "Asia/Ho_Chi_Minh"


def test_file_then_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = _file(tmp_path, '[switch]\nport = 9021\npassword = "from-file"\n')
    monkeypatch.setenv("CALLCENTER_SWITCH__PASSWORD", "from-env")
    settings = load_settings(path)
    assert settings.switch.port == 9021
    assert settings.switch.password is not None
    assert settings.switch.password.get_secret_value() == "from-env"


def test_config_env_variable_names_the_file(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("CALLCENTER_CONFIG", str(_file(tmp_path, '[site]\ndomain = "cm"\n')))
    assert load_settings().site.domain == "cm"


@pytest.mark.parametrize("text, message", [
    ("[switch]\npasword = 'x'\n", "unknown key switch.pasword"),
    ("[swich]\nport = 1\n", "unknown key swich"),
    ("[switch]\nport = 'abc'\n", r"switch.port \(or CALLCENTER_SWITCH__PORT\): Input should be"),
    ("[switch]\nport = 70000\n", "switch.port"),
    ("[logging]\nlevel = 'LOUD'\n", "logging.level"),
    ("[switch\n", "is not valid TOML"),
])
def test_bad_file_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(_file(tmp_path, text))


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("CALLCENTER_SWITCH__PORT", "many")
    with pytest.raises(ConfigError, match="CALLCENTER_SWITCH__PORT"):
        load_settings(_file(tmp_path, ""))


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration"):
        load_settings(tmp_path / "nope.toml")


def test_render_masks_secrets(tmp_path: Path) -> None:
    text = ('[switch]\npassword = "s3cret-esl"\n'
            '[database]\nurl = "postgresql://cc:db-pass@db.example/cc"\n')
    shown = render(load_settings(_file(tmp_path, text)))
    assert "s3cret-esl" not in shown and "db-pass" not in shown
    assert 'password = "********"' in shown
    assert "postgresql://cc:***@db.example/cc" in shown


# A value an environment variable gave is the variable's fault, not the file's.

@pytest.fixture
def no_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    return _file(tmp_path, '[site]\ndomain = "cm"\n')


def test_a_bad_environment_value_is_not_blamed_on_the_file(monkeypatch: pytest.MonkeyPatch,
                                                           no_file: Path) -> None:
    monkeypatch.setenv("CALLCENTER_SWITCH__PORT", "many")
    with pytest.raises(ConfigError) as caught:
        load_settings(no_file)
    message = str(caught.value)
    assert message.startswith(
        "environment variable CALLCENTER_SWITCH__PORT='many' (switch.port): "
        "Input should be a valid integer"), message
    assert "callcenter.toml" not in message


def test_the_file_and_the_environment_each_named_for_their_own_errors(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = _file(tmp_path, "[switch]\nport = 'abc'\n[logging]\nlevel = 'LOUD'\n")
    monkeypatch.setenv("CALLCENTER_SWITCH__HOST", "switch.example")  # valid, same section
    monkeypatch.setenv("CALLCENTER_HUB__LISTEN_PORT", "-1")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "environment variable CALLCENTER_HUB__LISTEN_PORT='-1' (hub.listen_port)" in message
    assert f"{path}: switch.port (or CALLCENTER_SWITCH__PORT)" in message
    assert "logging.level" in message
    assert "CALLCENTER_SWITCH__HOST" not in message
    assert f"{path}: hub" not in message


def test_a_section_given_as_json_is_named(monkeypatch: pytest.MonkeyPatch, no_file: Path) -> None:
    monkeypatch.setenv("CALLCENTER_SWITCH", '{"port": "x"}')
    with pytest.raises(ConfigError, match=r"^environment variable CALLCENTER_SWITCH="
                                          r"'\{\"port\": \"x\"\}' \(switch.port\)"):
        load_settings(no_file)


def test_a_lower_case_variable_is_named_as_it_was_set(monkeypatch: pytest.MonkeyPatch,
                                                     no_file: Path) -> None:
    monkeypatch.setenv("callcenter_switch__port", "bad")  # pydantic-settings reads any case
    with pytest.raises(ConfigError, match=r"^environment variable callcenter_switch__port='bad'"):
        load_settings(no_file)


def test_a_secret_from_the_environment_is_not_shown(monkeypatch: pytest.MonkeyPatch,
                                                    no_file: Path) -> None:
    monkeypatch.setenv("CALLCENTER_SWITCH", '{"password": ["s3cret-esl"]}')
    with pytest.raises(ConfigError) as caught:
        load_settings(no_file)
    message = str(caught.value)
    assert "environment variable CALLCENTER_SWITCH=******** (switch.password)" in message
    assert "s3cret" not in message


def test_a_list_not_written_as_json_is_named(monkeypatch: pytest.MonkeyPatch,
                                             no_file: Path) -> None:
    monkeypatch.setenv("CALLCENTER_IVR__ALLOWED_PEERS", "10.0.0.5")
    with pytest.raises(ConfigError, match=r"^environment variable "
                                          r"CALLCENTER_IVR__ALLOWED_PEERS='10.0.0.5' "
                                          r"\(ivr.allowed_peers\): not JSON"):
        load_settings(no_file)
    monkeypatch.setenv("CALLCENTER_IVR__ALLOWED_PEERS", '["10.0.0.5"]')
    assert load_settings(no_file).ivr.allowed_peers == ["10.0.0.5"]


@pytest.mark.parametrize(("name", "meant"), [
    ("CALLCENTER_DATABSE_URL", "CALLCENTER_DATABASE__URL"),
    ("CALLCENTER_DATABASE_URL", "CALLCENTER_DATABASE__URL"),  # one underscore
    ("CALLCENTER_SWITCH__PASWORD", "CALLCENTER_SWITCH__PASSWORD"),
    ("CALLCENTER_SWICH__PORT", "CALLCENTER_SWITCH__PORT"),
    ("CALLCENTER_CONFG", "CALLCENTER_CONFIG"),
    ("CALLCENTER_ROUTING__OPEN__0__WDAY", "CALLCENTER_ROUTING__OPEN"),
])
def test_an_unknown_variable_is_refused_naming_the_likely_one(
        monkeypatch: pytest.MonkeyPatch, no_file: Path, name: str, meant: str) -> None:
    monkeypatch.setenv(name, "1")
    with pytest.raises(ConfigError) as caught:
        load_settings(no_file)
    message = str(caught.value)
    assert message.startswith(f"unknown environment variable {name} (did you mean {meant}?)")
    assert "CALLCENTER_<SECTION>__<KEY>, with two underscores" in message


def test_an_unknown_variable_like_no_other_is_refused_without_a_guess(
        monkeypatch: pytest.MonkeyPatch, no_file: Path) -> None:
    monkeypatch.setenv("CALLCENTER_FOO", "1")
    with pytest.raises(ConfigError, match=r"^unknown environment variable CALLCENTER_FOO; "):
        load_settings(no_file)


def test_the_variables_that_are_not_settings_are_accepted(monkeypatch: pytest.MonkeyPatch,
                                                          no_file: Path) -> None:
    monkeypatch.setenv("CALLCENTER_CONFIG", str(no_file))
    monkeypatch.setenv("CALLCENTER_SWITCH_CONF", "/etc/hotline/switch_conf")
    monkeypatch.setenv("CALLCENTER_TEST_PG_URL", "postgresql://u@h/db")
    monkeypatch.setenv("CALLCENTER_TRUNK__REGISTER", "true")  # the key's alias
    settings = load_settings()
    assert settings.site.domain == "cm" and settings.trunk.registration


def test_the_command_line_names_the_variable(monkeypatch: pytest.MonkeyPatch, no_file: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from callcenter.cli.main import main

    monkeypatch.setenv("CALLCENTER_DATABSE_URL", "postgresql://cc@db/cc")
    assert main(["--config", str(no_file), "config", "show"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("callcenter: error: unknown environment variable "
                          "CALLCENTER_DATABSE_URL (did you mean CALLCENTER_DATABASE__URL?)"), err
