"""Settings: one list, each overridable by its environment variable, each documented in the README."""

from pathlib import Path

from click.testing import CliRunner

from doesittrain import settings
from doesittrain.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme():
    missing = [s.env for s in settings.SETTINGS if f"`{s.env}`" not in README]
    assert missing == []


def test_environment_overrides_the_default_and_database_follows_home(tmp_path):
    loaded = settings.load(environ={"DOESITTRAIN_HOME": str(tmp_path), "DOESITTRAIN_SITE_URL": "https://x.example"})
    assert loaded.site_url == "https://x.example"
    assert loaded.database_url == f"sqlite:///{tmp_path}/doesittrain.sqlite3"
    assert loaded.dataset_dir == settings.BUNDLED_DATASET


def test_explicit_override_beats_environment():
    loaded = settings.load(environ={"DOESITTRAIN_SITE_URL": "https://env.example"}, site_url="https://arg.example")
    assert loaded.site_url == "https://arg.example"


def test_settings_command_lists_every_variable_and_hides_secrets(monkeypatch):
    monkeypatch.setenv("DOESITTRAIN_ADMIN_PASSWORD", "hunter2")
    output = CliRunner().invoke(cli, ["settings"]).output
    for setting in settings.SETTINGS:
        assert setting.env in output
    assert "hunter2" not in output
    assert "DOESITTRAIN_ADMIN_PASSWORD=(set)" in output


def test_the_normalised_site_url_has_no_trailing_slash():
    assert settings.load(environ={}, site_url="https://x.example/").base_url == "https://x.example"


def test_numbers_and_switches_are_typed():
    loaded = settings.load(environ={"DOESITTRAIN_FETCH_TIMEOUT": "7.5", "DOESITTRAIN_ALLOW_PRIVATE_ADDRESSES": "1"})
    assert loaded.fetch_timeout == 7.5 and loaded.allow_private_addresses is True
