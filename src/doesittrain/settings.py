"""The one list of settings: the fields of `Settings`, each read from an environment variable, with a
documented default, typed and checked once when a command or the web app starts, then passed down.

`doesittrain settings` prints this list; the README's table is checked against it by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click
import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import UserError

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DATASET = PACKAGE_DIR / "data" / "tools"
ENV_PREFIX = "DOESITTRAIN_"


def _setting(default, help: str, **constraints):
    return Field(default, description=help, **constraints)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: str = _setting(str(BUNDLED_DATASET), "Folder of tool YAML files (default: the bundled dataset).")
    home: str = _setting(platformdirs.user_data_dir("doesittrain"), "Folder where state lives (database, snapshots, caches).")
    database_url: str = _setting("", "SQLAlchemy URL of the state database: SQLite in the home folder, or postgresql+psycopg://…")
    site_url: str = _setting("http://127.0.0.1:8000", "Public address of the site, used in absolute links, emails and feeds; serve without one uses the address it listens on.")
    smtp_url: str = _setting("", "Mail server: smtp://user:pass@host:587 (STARTTLS) or smtps://…:465; console: prints each email to standard output instead (development). Empty: no delivery.")
    smtp_ca_file: str = _setting("", "PEM file of the CAs the mail server's certificate must chain to. Empty: the system's.")
    mail_from: str = _setting("doesittrain <alerts@localhost>", "From address of every email.")
    admin_password: str = _setting("", "Enables /admin when set.")
    secret_key: str = _setting("", "Signs cookies and CSRF tokens. Empty: a random key generated once and kept in the state database.")
    allow_private_addresses: bool = _setting(False, "1 lets the monitor fetch loopback and private addresses (tests, mirrors).")
    user_agent: str = _setting("doesittrain-monitor/0.1 (+https://github.com/doesittrain/doesittrain)", "User-Agent of the monitor.")
    fetch_concurrency: int = _setting(8, "Monitor: requests in flight at once.", ge=1)
    fetch_per_host: int = _setting(2, "Monitor: requests in flight per host.", ge=1)
    fetch_timeout: float = _setting(20.0, "Monitor: seconds before a request is abandoned.", gt=0)
    fetch_max_bytes: int = _setting(10 * 1024 * 1024, "Monitor: largest response body accepted, in bytes.", ge=1)
    chromium_path: str = _setting("/usr/bin/chromium", "Chromium used for pages that need JavaScript.")
    db_wait_seconds: float = _setting(30.0, "Seconds a command waits for a busy SQLite database.", ge=0)
    web_db_wait_seconds: float = _setting(2.0, "Seconds a web request waits for a busy SQLite database before a 503.", ge=0)
    rate_limit_per_minute: int = _setting(10, "Subscribe requests accepted per client per minute.", ge=1)

    @model_validator(mode="after")
    def _database_in_home(self) -> "Settings":
        if not self.database_url:
            object.__setattr__(self, "database_url", "sqlite:///" + str(Path(self.home) / "doesittrain.sqlite3"))
        return self

    @property
    def dataset_dir(self) -> Path:
        return Path(self.dataset)

    @property
    def home_dir(self) -> Path:
        return Path(self.home)

    @property
    def cache_dir(self) -> Path:
        """Kept only to save time: what `check` found per file, and the parsed tools a build starts from."""
        return self.home_dir / "cache"

    @property
    def allows_private_addresses(self) -> bool:
        return self.allow_private_addresses

    @property
    def base_url(self) -> str:
        """The site's public address without a trailing slash, ready for `base_url + "/path"`."""
        return self.site_url.rstrip("/")

    @property
    def values(self) -> dict[str, str]:
        """Every setting as text, as it would be written in its environment variable."""
        return {name: _as_text(getattr(self, name)) for name in type(self).model_fields}

    def replace(self, **values) -> "Settings":
        return _validated(self.values | {name: str(value) for name, value in values.items()})


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Setting:
    name: str
    help: str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = tuple(Setting(name, f.description or "") for name, f in Settings.model_fields.items())


def load(environ: dict[str, str] | None = None, **overrides) -> Settings:
    """Resolve every setting: explicit override, then environment variable, then default. A value of the wrong
    type is a UserError naming its variable."""
    env = os.environ if environ is None else environ
    given = {s.name: env[s.env] for s in SETTINGS if env.get(s.env)}
    return _validated(given | {name: str(value) for name, value in overrides.items()})


def _validated(values: dict[str, str]) -> Settings:
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        variable = ENV_PREFIX + name.upper() if name else "settings"
        raise UserError(f"{variable}={error.get('input')!r}: {error['msg'].lower()}") from None


@click.command("settings")
@click.pass_obj
def settings_command(current: Settings) -> None:
    """List every setting, its environment variable and its current value."""
    for setting in SETTINGS:
        value = current.values[setting.name]
        if "password" in setting.name or "secret" in setting.name:
            value = "(set)" if value else "(not set)"
        click.echo(f"{setting.env}={value}\n    {setting.help}")
