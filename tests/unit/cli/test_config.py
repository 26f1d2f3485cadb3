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
