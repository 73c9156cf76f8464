"""``aws logs pull``: exports one log stream with GetLogEvents."""
import time

from awscli_cwlogs.cli import LogsCommand, create_logs_client
from awscli_cwlogs.export import (
    FOLLOW_ARGS, WINDOW_ARGS, before, check_pull_delay, make_formatter, output_format_arg,
    parse_window, write_pages,
)
from awscli_cwlogs.progress import progress_for

DEFAULT_FORMAT = "{timestamp} {message}"


def iter_stream_pages(client, group, stream, start=None, end=None, follow=False,
                      delay=1.0, sleep=time.sleep):
    """Yields GetLogEvents pages, oldest first, until the returned token equals the one sent
    (the end of the stream: an empty page before it is not the end). With ``follow``, polls
    on from there, sleeping ``delay`` seconds after each poll that brought nothing."""
    request = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    if start is not None:
        request["startTime"] = start
    if end is not None:
        request["endTime"] = end
    token = None
    while True:
        page = client.get_log_events(**request)
        events = before(end, page["events"])
        if events:
            yield events
        next_token = page["nextForwardToken"]
        if next_token == token:
            if not follow:
                return
            if not events:
                sleep(delay)
        token = request["nextToken"] = next_token


class PullCommand(LogsCommand):
    NAME = "pull"
    DESCRIPTION = (
        "Exports the events of one log stream, oldest first, to standard output.\n\n"
        "It pages through GetLogEvents with the forward token and stops only when the "
        "service returns the token it was sent, so a page that comes back empty in the "
        "middle of a stream does not end the export early. Events are written as each page "
        "arrives, so memory does not grow with the size of the stream. Throttling, server "
        "errors and dropped connections are retried with exponential backoff (botocore's "
        "standard retry mode; set ``retry_mode``/``max_attempts`` in your "
        "profile to change it).\n\n"
        "When standard output is redirected and standard error is a terminal, a progress "
        "line on standard error shows the events so far, the rate and the timestamp reached.\n\n"
        "To search a whole log group across its streams, use ``aws logs filter``.\n\n"
    )
    ARG_TABLE = [
        {"name": "log-group-name", "required": True, "help_text": "<p>The log group.</p>"},
        {"name": "log-stream-name", "required": True, "help_text": "<p>The log stream to export.</p>"},
        *WINDOW_ARGS,
        output_format_arg(DEFAULT_FORMAT),
        *FOLLOW_ARGS,
    ]
    EXAMPLES = (
        "Export a whole stream::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 > web-1.log\n\n"
        "The last two hours, as JSON lines::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 --start-time 2h --output-format json\n\n"
        "One UTC day, with the stream name in each line::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 "
        "--start-time 2026-11-21T00:00:00Z --end-time 2026-11-22T00:00:00Z "
        "--output-format '{logStreamName} {timestamp} {message}'\n\n"
        "Follow a stream as it grows, polling every 2 seconds when idle::\n\n"
        "  aws logs pull --log-group-name app --log-stream-name web-1 --follow --pull-delay 2000\n"
    )

    def run(self, parsed_args, parsed_globals):
        formatter = make_formatter(parsed_args.output_format, parsed_args.log_stream_name)
        start, end = parse_window(parsed_args)
        delay = check_pull_delay(parsed_args)
        if parsed_args.follow:
            self.exit_on_interrupt = 0
        client = create_logs_client(self._session, parsed_globals)
        pages = iter_stream_pages(
            client, parsed_args.log_group_name, parsed_args.log_stream_name,
            start, end, parsed_args.follow, delay,
        )
        write_pages(pages, formatter, progress_for())
        return 0

    def missing_resource(self, parsed_args):
        return f"log stream '{parsed_args.log_stream_name}' in log group '{parsed_args.log_group_name}'"
