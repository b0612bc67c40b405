"""The `doesittrain` command. Thin: settings are loaded once here and passed to the command, whose module is
imported only when it runs, and a UserError from anywhere below ends as one line on stderr with exit status 1."""

from __future__ import annotations

import importlib

import click

from .errors import UserError

# name -> (module, attribute, one-line help). Importing every concern's commands (the web app, SQLAlchemy,
# alembic, rich…) took a second; `doesittrain --help` lists these lines without importing anything.
# tests/test_cli.py checks each line against the command's own help.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("doesittrain.dataset.commands", "check", "Validate every tool file; exit 1 on any error (warnings keep exit 0)."),
    "serve": ("doesittrain.web.commands", "serve", "Start the website (state lives in the home folder, created if missing)."),
    "build": ("doesittrain.web.commands", "build_command", "Write the whole public site as static files into OUT (pages, feeds, API JSON, downloads, sitemap)."),
    "publish": ("doesittrain.publish.commands", "publish", "Record what changed since the last publish and queue one email per change for its subscribers."),
    "notify": ("doesittrain.notify.commands", "notify", "Email delivery."),
    "subscribers": ("doesittrain.notify.commands", "subscribers", "Answer data requests about one email address."),
    "monitor": ("doesittrain.monitor.commands", "monitor", "Watch the policy pages the dataset cites and record what changes."),
    "review": ("doesittrain.monitor.commands", "review", "The queue of changes, broken quotes and unreachable sources editors work through."),
    "draft": ("doesittrain.draft.commands", "draft_command", "Draft a tool file from vendor pages or local copies: sources, candidate quotes per field, every verdict unknown."),
    "db": ("doesittrain.store.commands", "db_group", "The state database (SQLite by default, PostgreSQL via DOESITTRAIN_DATABASE_URL)."),
    "settings": ("doesittrain.settings", "settings_command", "List every setting, its environment variable and its current value."),
}


class LazyGroup(click.Group):
    """Click's lazy-loading group: a command's module is imported when that command is resolved."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _help = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])

    def invoke(self, ctx: click.Context):
        # The one place a UserError becomes what a person sees: "Error: <message>" and exit status 1.
        try:
            return super().invoke(ctx)
        except UserError as exc:
            raise click.ClickException(exc.message) from None


@click.group(cls=LazyGroup)
@click.version_option(package_name="doesittrain")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Does this AI tool train on my data? Cited, per-tier answers, a policy monitor and change alerts.

    Every setting can be given as an environment variable: see `doesittrain settings`.
    """
    from . import settings

    ctx.obj = settings.load()
