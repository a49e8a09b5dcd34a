"""The commands of `tauschring` (see `tauschring --help`), one module per command group; the
`tauschring` command itself is ``tauschring.cli_group``. Every command that changes something calls
a use case, with the system as its actor, and commits through the one commit place."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from . import (
        backup,
        closing,
        database,
        demo,
        doctor,
        fees,
        imports,
        jobs,
        ledger,
        printing,
        reports,
        requests,
        rings,
        serve,
    )

    for module in (
        database,
        ledger,
        demo,
        rings,
        serve,
        jobs,
        doctor,
        fees,
        printing,
        requests,
        backup,
        imports,
        closing,
        reports,
    ):
        for command in module.COMMANDS:
            app.cli.add_command(command)
