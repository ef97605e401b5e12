"""The benchmark dispatcher: `python -m bench.run [SUBCOMMAND] [options]`.

With no subcommand it runs the issue-6 suite (`rollup`: it builds or reuses the organisation, runs the
appraisals bench, then measures the roll-up and the dashboard).
To add a benchmark, write ``bench/<name>.py`` with ``add_arguments(parser)`` and ``run(args)`` and
add one line to ``SUBCOMMANDS`` below. Django is set up first (``DJANGO_SETTINGS_MODULE`` from the
environment, default ``config.settings.local``; ``DATABASE_URL`` picks the database) and pending
migrations are applied before a benchmark runs, so a fresh database works too.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    # name: (module with add_arguments(parser) and run(args), one-line help)
    "build_org": ("bench.build_org", "build an organisation of N employees with bulk inserts (default 100000)"),
    "summary": ("bench.summary", "counts of the bench organisation and the time of typical tree queries"),
    "appraisals": ("bench.appraisals", "open an appraisal cycle for N employees (6 lines each), verify and score"),
    "rollup": ("bench.rollup", "issue 6 suite: opening, roll-up vs hand-written SQL, dashboard at 1k and 100k, memory"),
    "pay": ("bench.pay", "issue 14: a performance-pay run for N employees (set-based) and its payroll export"),
    "rollup_once": ("bench.rollup:once", "one roll-up of a cycle in this process (used by `rollup` for its memory)"),
    "results": ("bench.results", "issue 13: a talent review of a published cycle of N people, placement and grid page"),
}
DEFAULT = ["rollup"]  # what `python -m bench.run` (and `make bench`) runs: the issue-6 suite (it runs `appraisals`)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")  # no SQL log kept in memory while timing
    import django

    django.setup()


def migrate_if_needed() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        from django.core.management import call_command

        print("Applying pending migrations first...", flush=True)
        call_command("migrate", verbosity=0, interactive=False)


def _entry(module: str, name: str):
    """``add_arguments``/``run`` of a module; "module:suffix" names ``add_<suffix>_arguments``/``run_<suffix>``."""
    module, _, suffix = module.partition(":")
    if suffix:
        name = f"add_{suffix}_arguments" if name == "add_arguments" else f"run_{suffix}"
    return getattr(importlib.import_module(module), name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmarks on a large generated organisation. Without a subcommand: "
                    + " then ".join(DEFAULT) + " with their defaults.")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        _entry(module, "add_arguments")(sp)
    return parser


def main(argv: list[str] | None = None) -> int:
    setup_django()
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    migrate_if_needed()
    commands = [args.command] if args.command else DEFAULT
    for name in commands:
        sub_args = args if args.command else parser.parse_args([name])
        _entry(SUBCOMMANDS[name][0], "run")(sub_args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
