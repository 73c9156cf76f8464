"""CloudWatch Logs commands for the AWS CLI: ``aws logs push``, ``pull``, ``filter`` and ``query``.

Register with ``[plugins] cwlogs = awscli_cwlogs`` in the AWS config file.
"""

__version__ = "2.0.0.dev0"


def awscli_initialize(cli):
    cli.register("building-command-table.logs", _add_commands)


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
