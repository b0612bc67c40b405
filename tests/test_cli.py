"""The `doesittrain` command: fast help, settings loaded once, and every user error as one line."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from doesittrain.cli import COMMANDS, cli


def test_help_lists_every_command_with_its_own_first_line():
    output = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
    for name, (_module, _attribute, listed) in COMMANDS.items():
        assert f"{name} {listed}" in output
        assert cli.get_command(None, name).help.split("\n")[0] == listed, f"{name}: --help lists another text than its own"


def test_help_imports_no_command_module():
    probe = ("import sys; from doesittrain.cli import cli\n"
             "try: cli(['--help'])\n"
             "except SystemExit: pass\n"
             "print(sorted(m for m in sys.modules if m.startswith('doesittrain.') or m in ('pydantic', 'sqlalchemy', 'yaml')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    assert loaded == "['doesittrain.cli', 'doesittrain.errors']"


def test_a_user_error_is_one_line_and_exit_status_1(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--dataset", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'missing'}: no such dataset folder\n"


def test_a_setting_of_the_wrong_type_names_its_variable():
    result = CliRunner().invoke(cli, ["settings"], env={"DOESITTRAIN_FETCH_TIMEOUT": "soon"})
    assert result.exit_code == 1
    assert result.output.startswith("Error: DOESITTRAIN_FETCH_TIMEOUT='soon': input should be a valid number")
    assert "Traceback" not in result.output
