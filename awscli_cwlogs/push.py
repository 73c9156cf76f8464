"""``aws logs push``: the log-shipping agent (front door only until the agent lands)."""
from awscli_cwlogs.cli import CommandError, LogsCommand


class PushCommand(LogsCommand):
    NAME = "push"
    DESCRIPTION = "Ships log files or standard input to CloudWatch Logs. Not implemented yet.\n\n"

    def run(self, parsed_args, parsed_globals):
        raise CommandError("not implemented yet")
