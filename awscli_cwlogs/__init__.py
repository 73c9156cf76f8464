"""CloudWatch Logs commands for the AWS CLI: ``aws logs push``, ``pull``, ``filter`` and ``query``.

Register with ``[plugins] cwlogs = awscli_cwlogs`` in the AWS config file.
"""

__version__ = "2.0.0.dev0"  # the one place: setup.cfg, the packages and `aws ... --version` read it


def awscli_initialize(cli):
    cli.register("building-command-table.main", _name_in_user_agent)
    cli.register("building-command-table.logs", _add_commands)


def _name_in_user_agent(session, **kwargs):
    """``aws --version`` (``aws logs push --version`` too) and every request's User-Agent then
    name this plugin and its version, after the CLI's own."""
    tag = f"awscli-cwlogs/{__version__}"
    if tag not in (session.user_agent_extra or ""):
        session.user_agent_extra = f"{session.user_agent_extra} {tag}".strip()


def _add_commands(command_table, session, **kwargs):
    # Imported here so that every other `aws` command pays nothing for the plugin.
    from awscli_cwlogs.filter import FilterCommand
    from awscli_cwlogs.pull import PullCommand
    from awscli_cwlogs.push import PushCommand
    from awscli_cwlogs.query import QueryCommand

    command_table["push"] = PushCommand(session)
    command_table["pull"] = PullCommand(session)
    command_table["filter"] = FilterCommand(session)
    command_table["query"] = QueryCommand(session)
