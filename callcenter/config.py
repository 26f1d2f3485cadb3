"""The daemon's configuration: one TOML file plus CALLCENTER_* environment overrides.

The file is found by `--config`, then `CALLCENTER_CONFIG`, then `./callcenter.toml`; with none,
the defaults apply (a SQLite database in the user's data directory, a switch on 127.0.0.1).
Environment variables override the file: `CALLCENTER_SWITCH__PASSWORD` sets `[switch] password`
(two underscores between the section and the key; a list or a table is written as JSON).
Unknown keys and wrong types are refused, naming the key — or, for a value an environment
variable gave, the variable and its value; an unknown CALLCENTER_* variable is refused too,
naming the variable it was likely meant to be.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from sqlalchemy.engine import make_url

ENV_PREFIX = "CALLCENTER_"
DEFAULT_FILE = Path("callcenter.toml")
# The CALLCENTER_* variables that are not settings: the file's path (config_path), the
# switch_conf folder of an installed copy (callcenter.switchconf.render), the tests' PostgreSQL.
OTHER_VARIABLES = ("CALLCENTER_CONFIG", "CALLCENTER_SWITCH_CONF", "CALLCENTER_TEST_PG_URL")


class ConfigError(Exception):
    pass


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    # Empty: a SQLite file in the user's data directory.
    url: str = ""


class SwitchSettings(_Section):
    """FreeSWITCH's inbound Event Socket (event_socket.conf.xml)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8021, ge=1, le=65535)
    password: SecretStr | None = None
    connect_timeout: float = Field(default=5.0, gt=0)
    command_timeout: float = Field(default=10.0, gt=0)
    reconnect_max_delay: float = Field(default=30.0, gt=0)
    # How often the database's agents and tiers are compared with what was last pushed to
    # mod_callcenter (a change made by `callcenter agent …` or the desktop reaches the switch).
    agent_sync_seconds: float = Field(default=5.0, gt=0)
    # The ACL the event socket applies to clients (a name from acl.conf.xml, or built in).
    acl: str = "loopback.auto"


class IvrSettings(_Section):
    """The outbound-socket server the dialplan hands calls to."""

    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8084, ge=1, le=65535)
    # How long the menu waits for a key after each greeting (and between digits).
    digit_timeout_ms: int = Field(default=4000, ge=500)
    # The long greeting once, then the short one: with no key the caller reaches the default
    # queue after greeting_long + timeout + (max_tries - 1) × (greeting_short + timeout).
    max_tries: int = Field(default=2, ge=1, le=10)
    default_topic: str = "f0_home_care"
    # Who may open a session: the addresses (or networks, or host names) FreeSWITCH connects
    # from. Empty: the addresses `[switch] host` resolves to. Anyone else is closed at once.
    allowed_peers: list[str] = []
    # Sessions at once, from all peers, and from any one address; beyond, closed at once.
    max_sessions: int = Field(default=1000, ge=1)
    max_sessions_per_peer: int = Field(default=500, ge=1)
    # From the connection to the session's admission: the `connect` reply, and the call seen
    # on the event socket (the two sockets race).
    handshake_seconds: float = Field(default=3.0, gt=0, le=30)
    # The longest prompt a menu step plays (the daemon cannot know a file's length): with the
    # digit timeout it bounds each wait for the switch.
    max_prompt_seconds: float = Field(default=45.0, gt=0)
    # One caller's whole session, menu to transfer.
    session_seconds: float = Field(default=300.0, gt=0)


class HubSettings(_Section):
    """The desktop hub: WebSocket over TLS."""

    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8443, ge=0, le=65535)  # 0: any free port (tests)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    allow_plain: bool = False
    session_idle_minutes: int = Field(default=30, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    # Connections open at once (a desktop is one): in all, and from one address (desktops
    # behind one NAT or proxy share one); one beyond is closed at once, before TLS.
    max_connections: int = Field(default=2000, ge=1)
    max_connections_per_address: int = Field(default=100, ge=1)


class HttpSettings(_Section):
    """/healthz and /metrics, for the operator's monitoring."""

    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8090, ge=0, le=65535)
    # A request's line and headers must all have come within header_seconds (of the
    # connection, or of its first byte on a kept-alive one); a kept-alive connection waits
    # idle_seconds for its next request, then is closed.
    header_seconds: float = Field(default=10.0, gt=0)
    idle_seconds: float = Field(default=30.0, gt=0)
    # Connections open at once, in all and from one address; one beyond is closed at once.
    max_connections: int = Field(default=64, ge=1)
    max_connections_per_address: int = Field(default=8, ge=1)


class WebSettings(HttpSettings):
    """The public declaration form and the province portal's API (`callcenter web`): its own
    process, on TLS (or plain behind a TLS proxy on the same host, `allow_plain`)."""

    listen_port: int = Field(default=8445, ge=0, le=65535)  # 0: any free port (tests)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    allow_plain: bool = False
    # Signs the CSRF tokens and the receipt cookie; empty: a random key at each start (forms
    # open across a restart are refused once, with a clear message).
    secret_key: SecretStr | None = None
    # X-Forwarded-For hops to trust (a reverse proxy in front): 0 trusts none.
    proxies: int = Field(default=0, ge=0, le=5)
    public_url: str = ""  # as the portal reaches it, for the OpenAPI document
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    body_seconds: float = Field(default=10.0, gt=0)  # a request's body must come within it
    max_connections: int = Field(default=1000, ge=1)
    max_connections_per_address: int = Field(default=50, ge=1)
    # Rate limits (the `limits` library's notation): declarations sent, from one address and
    # for one phone number; status look-ups from one address; an API source's declarations.
    rate_per_address: str = "10/minute;60/hour"
    rate_per_phone: str = "3/hour;10/day"
    lookup_rate_per_address: str = "20/minute;200/day"
    rate_per_source: str = "100000/hour"
    # Processes serving the port (SO_REUSEPORT), up to one per core; each counts its own
    # rate limits, so with N a client may get up to N times them.
    workers: int = Field(default=1, ge=1, le=64)
    # One process's database connections, kept open (a request waits for a free one).
    db_connections: int = Field(default=4, ge=1, le=64)
    # How often the daemon looks for new declarations (to push the callbacks to the desktops
    # and alert the leads).
    watch_seconds: float = Field(default=1.0, gt=0)


class SiteSettings(_Section):
    domain: str = "hotline1022"
    timezone: str = "Asia/Ho_Chi_Minh"
    hotline_numbers: list[str] = ["1022", "02901022", "+842901022"]
    emergency_number: str = Field(default="115", pattern=r"^[0-9]{2,15}$")
    cdc_number: str | None = Field(default=None, pattern=r"^[0-9+]{3,15}$")
    language: str = Field(default="vi", pattern=r"^[a-z]{2}$")
    record_calls: bool = True
    # Where the switch writes the recordings ($${recordings_dir}, on the daemon's machine):
    # the hub streams a call's recording to a desktop only from inside this folder.
    recordings_dir: Path = Path("/var/lib/freeswitch/recordings")
    # What callers hear while they wait in a queue (mod_callcenter's moh-sound, where a topic
    # sets none): the switch's own $${hold_music} (local_stream://moh on a stock switch, music
    # from Debian's freeswitch-music-default), "tone" (a short beep every 3 s, mod_tone_stream,
    # no package needed), or any FreeSWITCH sound (a file, local_stream://…, tone_stream://…).
    hold_music: str = Field(default="$${hold_music}", min_length=1)
    # The topic the web form's declarations belong to: only its agents see them in a pop.
    declaration_topic: str | None = "f0_home_care"


class TrunkSettings(_Section):
    """The telecom's SIP trunk, a gateway on FreeSWITCH's external profile."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(default="telecom", pattern=r"^[A-Za-z0-9_.-]+$")
    realm: str = ""
    proxy: str = ""
    username: str = ""
    password: SecretStr = SecretStr("")
    registration: bool = Field(default=False, alias="register")
    from_user: str = "02901022"


class OpenWindow(_Section):
    """When the hotline answers: FreeSWITCH `wday` (1 = Sunday) and `time-of-day` ranges."""

    wday: str = Field(default="", pattern=r"^([1-7](-[1-7])?(,[1-7](-[1-7])?)*)?$")
    time_of_day: str = Field(default="", pattern=r"^(\d\d:\d\d-\d\d:\d\d)?$")


class RoutingSettings(_Section):
    """Opening hours and holidays; nothing means 24/7, as the notice says."""

    open: list[OpenWindow] = []
    holidays: list[str] = Field(default=[], description="YYYY-MM-DD dates the line is closed")


class CallbackSettings(_Section):
    """Dialling callbacks: a caller not reached is tried again later, a few times."""

    retry_minutes: int = Field(default=15, ge=1)
    max_attempts: int = Field(default=3, ge=1, le=20)
    # A dial the daemon never heard the end of (it was down) is open again after this.
    stale_dial_hours: int = Field(default=4, ge=1)


class CdrSettings(_Section):
    """The CDRs FreeSWITCH writes (mod_json_cdr, one `<uuid>.cdr.json` per call in
    `spool_dir`): the daemon imports the calls it did not see (it was down), at start and every
    `import_seconds`, and moves each file it read into `imported/` (or `rejected/`)."""

    spool_dir: Path = Path("/var/spool/hotline1022/cdr")
    import_seconds: float = Field(default=60.0, gt=0)
    # mod_json_cdr writes a file in place (open, write, close): a younger one may be half written
    settle_seconds: float = Field(default=5.0, ge=0)


class ReportSettings(_Section):
    """The daily report the daemon writes at the end of each shift (the local times of
    `shift_ends`) into `folder`: the report of the shift's days as XLSX. No folder: none."""

    folder: Path | None = None
    shift_ends: list[str] = Field(default_factory=lambda: ["07:00", "15:00", "23:00"],
                                  min_length=1)

    @field_validator("shift_ends")
    @classmethod
    def _times(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a time HH:MM") from None
        return values


class LoggingSettings(_Section):
    level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid")

    database: DatabaseSettings = DatabaseSettings()
    switch: SwitchSettings = SwitchSettings()
    ivr: IvrSettings = IvrSettings()
    hub: HubSettings = HubSettings()
    http: HttpSettings = HttpSettings()
    web: WebSettings = WebSettings()
    site: SiteSettings = SiteSettings()
    trunk: TrunkSettings = TrunkSettings()
    routing: RoutingSettings = RoutingSettings()
    callbacks: CallbackSettings = CallbackSettings()
    cdr: CdrSettings = CdrSettings()
    reports: ReportSettings = ReportSettings()
    logging: LoggingSettings = LoggingSettings()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment overrides them.
        return env_settings, init_settings

    def database_url(self) -> str:
        from db.engine import default_database_url

        return self.database.url or default_database_url()


def config_path(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    if os.environ.get(ENV_PREFIX + "CONFIG"):
        return Path(os.environ[ENV_PREFIX + "CONFIG"])
    return DEFAULT_FILE if DEFAULT_FILE.exists() else None


def load_settings(explicit: Path | None = None) -> Settings:
    path = config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the configuration {path}: {exc.strerror}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    environment = _environment(os.environ)
    _check_environment(environment)
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, environment)) from exc
    except SettingsError as exc:  # what _check_environment did not foresee
        raise ConfigError(f"the CALLCENTER_* environment variables: {exc}") from exc


@dataclass(frozen=True)
class _Variable:
    """A CALLCENTER_* environment variable that sets a setting (or a whole section)."""

    loc: tuple[str, ...]  # ("switch", "port"), or ("switch",) for CALLCENTER_SWITCH
    json: bool  # a list or a table: the value is JSON
    secret: bool


def _is_json(annotation: Any) -> bool:
    """Whether pydantic-settings reads the field's variable as JSON (a list, a table)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_json(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if typing.get_origin(annotation) in (list, dict, set, tuple):
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def setting_variables() -> dict[str, _Variable]:
    """Every variable that sets a setting, by its name in capitals: CALLCENTER_<SECTION> (the
    section as JSON) and CALLCENTER_<SECTION>__<KEY>."""
    variables = {}
    for section, field in Settings.model_fields.items():
        name = ENV_PREFIX + section.upper()
        variables[name] = _Variable((section,), True, False)
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for key, setting in model.model_fields.items():
            for spelling in {key, setting.alias or key}:
                variables[f"{name}__{spelling.upper()}"] = _Variable(
                    (section, key), _is_json(setting.annotation), _is_secret(setting.annotation))
    return variables


def _environment(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The CALLCENTER_* variables set: name in capitals → (name as set, value). pydantic-settings
    reads them whatever their case."""
    return {name.upper(): (name, value) for name, value in environ.items()
            if name.upper().startswith(ENV_PREFIX)}


def _shown(name: str, value: str, secret: bool) -> str:
    return f"{name}={'********' if secret else repr(value)}"


def _check_environment(environment: dict[str, tuple[str, str]]) -> None:
    """Refuse a CALLCENTER_* variable that sets nothing (a typo would leave the setting at its
    default: CALLCENTER_DATABSE_URL, a daemon on an empty SQLite database), and a list's or
    table's variable that is not JSON."""
    variables = setting_variables()
    # compared without the prefix, which every name shares
    known = {name.removeprefix(ENV_PREFIX): name for name in [*variables, *OTHER_VARIABLES]}
    unknown, not_json = [], []
    for upper, (name, value) in sorted(environment.items()):
        variable = variables.get(upper)
        if variable is None and upper not in OTHER_VARIABLES:
            close = difflib.get_close_matches(upper.removeprefix(ENV_PREFIX), known, n=1)
            hint = f" (did you mean {known[close[0]]}?)" if close else ""
            unknown.append(f"unknown environment variable {name}{hint}")
        elif variable is not None and variable.json:
            try:
                json.loads(value)
            except ValueError:
                not_json.append(
                    f"environment variable {_shown(name, value, variable.secret)} "
                    f"({'.'.join(variable.loc)}): not JSON; a list or a table is written as "
                    "JSON, e.g. '[\"10.0.0.5\"]' or '{\"port\": 8021}'")
    if unknown:
        unknown.append("a setting's variable is CALLCENTER_<SECTION>__<KEY>, with two "
                       "underscores between the section and the key")
    if unknown or not_json:
        raise ConfigError("; ".join(unknown + not_json))


def _from_environment(loc: tuple[str, ...], environment: dict[str, tuple[str, str]],
                      ) -> tuple[str, str] | None:
    """The variable that gave the value at `loc`: CALLCENTER_SWITCH__PORT for switch.port, or
    CALLCENTER_SWITCH if its JSON holds `port`; None: the value came from the file."""
    for length in range(len(loc), 0, -1):
        found = environment.get(ENV_PREFIX + "__".join(loc[:length]).upper())
        if found is None:
            continue
        try:
            value: Any = json.loads(found[1]) if length < len(loc) else None
        except ValueError:
            return found
        for part in loc[length:]:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                break
        else:
            return found
    return None


def _describe(exc: ValidationError, path: Path | None,
              environment: dict[str, tuple[str, str]]) -> str:
    secrets = {variable.loc for variable in setting_variables().values() if variable.secret}
    from_file, from_environment = [], []
    for error in exc.errors():
        loc = tuple(str(p) for p in error["loc"])
        key = ".".join(loc)
        source = _from_environment(loc, environment)
        if source is not None:
            name, value = source
            what = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            from_environment.append(
                f"environment variable {_shown(name, value, loc[:2] in secrets)} ({key}): {what}")
        elif error["type"] == "extra_forbidden":
            from_file.append(f"unknown key {key}")
        else:
            env = ENV_PREFIX + "__".join(loc).upper()
            got = "********" if loc[:2] in secrets else repr(error.get("input"))
            from_file.append(f"{key} (or {env}): {error['msg']}, got {got}")
    problems = from_environment
    if from_file:
        problems.append(f"{path or 'configuration'}: " + "; ".join(from_file))
    return "; ".join(problems)


def render(settings: Settings) -> str:
    """The effective configuration as TOML, secrets masked."""
    lines = []
    for section, values in settings.model_dump().items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else ""
            elif (section, key) == ("database", "url") and value:
                value = make_url(value).render_as_string(hide_password=True)
            if value is None:
                lines.append(f"# {key} is not set")
            else:
                shown = str(value) if isinstance(value, Path) else value
                lines.append(f"{key} = {json.dumps(shown, ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)
