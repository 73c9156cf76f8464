"""``--check``, ``--status`` and ``--health``: read the state file if there is one, never write it, and print."""
import os
import sqlite3
import sys

from awscli_cwlogs.cli import CommandError
from awscli_cwlogs.kvstore import StateStore
from awscli_cwlogs.report.check import check_report
from awscli_cwlogs.report.status import agent_report, config_report, health, render_json, render_text, status_report


def run_report(agent_config, args, record, fetched, problem=None, out=None):
    """The exit code: --status 0; --check 1 if it found a problem. ``record`` and ``fetched``: where
    the configuration came from (config/configuration.py); ``problem``: why --status shows the last
    good configuration instead of the parameters now."""
    out = out or sys.stdout
    path = agent_config.general.state_file
    if getattr(args, "health", False):
        healthy, line = health(agent_report(path))
        out.write(line + "\n")
        return 0 if healthy else 1
    try:
        store = StateStore(path, read_only=True) if os.path.exists(path) else None
    except sqlite3.Error as error:
        raise CommandError(f"state file {path}: cannot read it: {error}") from None
    try:
        if args.status:
            report = status_report(agent_config, store)
            configuration = config_report(record, fetched, store, problem)
            agent = agent_report(path)
            out.write(render_json(report, configuration, agent) if args.json
                      else render_text(report, configuration, agent=agent))
            return 0
        versions = f"\n  parameters: {fetched.describe()}" if fetched.documents else ""
        text, problems = check_report(agent_config, store, configuration=record.source + versions)
        out.write(text)
        return 1 if problems else 0
    finally:
        if store:
            store.close()
