"""Commands of this concern, added to the `doesittrain` group by cli.py."""

commands: list = []
