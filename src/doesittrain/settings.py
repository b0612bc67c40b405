"""The one list of settings. Each is read from an environment variable, with a documented default.

`doesittrain settings` prints this list; the README's table is checked against it by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import platformdirs

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLED_DATASET = PACKAGE_DIR / "data" / "tools"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Callable[[dict[str, str]], str]
    help: str

    @property
    def env(self) -> str:
        return "DOESITTRAIN_" + self.name.upper()


def _const(value: str) -> Callable[[dict[str, str]], str]:
    return lambda _resolved: value


SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", _const(str(BUNDLED_DATASET)), "Folder of tool YAML files (default: the bundled dataset)."),
    Setting("home", _const(platformdirs.user_data_dir("doesittrain")), "Folder where state lives (database, snapshots)."),
    Setting(
        "database_url",
        lambda r: "sqlite:///" + str(Path(r["home"]) / "doesittrain.sqlite3"),
        "SQLAlchemy URL of the state database: SQLite in the home folder, or postgresql+psycopg://…",
    ),
    Setting("site_url", _const("http://127.0.0.1:8000"), "Public address of the site, used in absolute links, emails and feeds; serve without one uses the address it listens on."),
    Setting("smtp_url", _const(""), "Mail server: smtp://user:pass@host:587 (STARTTLS) or smtps://…:465. Empty: no delivery."),
    Setting("mail_from", _const("doesittrain <alerts@localhost>"), "From address of every email."),
    Setting("admin_password", _const(""), "Enables /admin when set."),
    Setting("secret_key", _const(""), "Signs cookies and CSRF tokens. Empty: a random key kept in the home folder."),
    Setting("allow_private_addresses", _const("0"), "1 lets the monitor fetch loopback and private addresses (tests, mirrors)."),
    Setting("user_agent", _const("doesittrain-monitor/0.1 (+https://github.com/doesittrain/doesittrain)"), "User-Agent of the monitor."),
    Setting("fetch_concurrency", _const("8"), "Monitor: requests in flight at once."),
    Setting("fetch_per_host", _const("2"), "Monitor: requests in flight per host."),
    Setting("fetch_timeout", _const("20"), "Monitor: seconds before a request is abandoned."),
    Setting("fetch_max_bytes", _const(str(10 * 1024 * 1024)), "Monitor: largest response body accepted, in bytes."),
    Setting("chromium_path", _const("/usr/bin/chromium"), "Chromium used for pages that need JavaScript."),
    Setting("db_wait_seconds", _const("30"), "Seconds a command waits for a busy SQLite database."),
    Setting("web_db_wait_seconds", _const("2"), "Seconds a web request waits for a busy SQLite database before a 503."),
    Setting("rate_limit_per_minute", _const("10"), "Subscribe requests accepted per client per minute."),
)


@dataclass(frozen=True)
class Settings:
    values: dict[str, str]

    def __getattr__(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def dataset_dir(self) -> Path:
        return Path(self.values["dataset"])

    @property
    def home_dir(self) -> Path:
        return Path(self.values["home"])

    @property
    def allows_private_addresses(self) -> bool:
        return self.values["allow_private_addresses"].strip().lower() in {"1", "true", "yes"}

    def number(self, name: str) -> float:
        return float(self.values[name])

    def replace(self, **values: str) -> "Settings":
        return Settings(self.values | {k: str(v) for k, v in values.items()})


def load(environ: dict[str, str] | None = None, **overrides: str) -> Settings:
    """Resolve every setting: explicit override, then environment variable, then default."""
    env = os.environ if environ is None else environ
    resolved: dict[str, str] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            resolved[setting.name] = str(overrides[setting.name])
        elif env.get(setting.env):
            resolved[setting.name] = env[setting.env]
        else:
            resolved[setting.name] = setting.default(resolved)
    return Settings(resolved)
