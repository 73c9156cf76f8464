"""``aws logs filter``: searches log groups with FilterLogEvents (export.search), or follows them."""
import shutil
import sys

from awscli_cwlogs.cli import LogsCommand, UsageError, create_logs_client, parse_json_quickly
from awscli_cwlogs.export.common import (FOLLOW_ARGS, WINDOW_ARGS, check_pull_delay, make_formatter, output_format_arg,
                                         parse_window, write_pages)
from awscli_cwlogs.export.charts import draw, histogram, size_text, time_labels
from awscli_cwlogs.export.groups import GroupSource
from awscli_cwlogs.export.newest import LAST_ARGS, check_last, in_order, newest_in_groups
from awscli_cwlogs.export.progress import isatty, progress_for
from awscli_cwlogs.export.reading import GROUP_ARGS, LIVE_ARG, check_live, chosen_group_option, group_pages, window
from awscli_cwlogs.export.search import follow_filter_pages, iter_filter_pages

DEFAULT_FORMAT = "{logStreamName} {timestamp} {message}"
MANY_GROUPS_FORMAT = "{logGroupName} {logStreamName} {timestamp} {message}"
GROUP_OPTIONS = ("log_group_name", "log_group_names", "log_group_name_prefix", "log_group_name_pattern")


class FilterCommand(LogsCommand):
    NAME = "filter"
    DESCRIPTION = (
        "Searches a log group (or several: --log-group-names, --log-group-name-prefix, "
        "--log-group-name-pattern) across its streams with FilterLogEvents and writes the "
        "matching events to standard output, interleaved by time.\n\n"
        "It pages until the service returns no next token. With --follow it repeats the "
        "search from the newest timestamp it has seen and never prints an event twice; with --live it "
        "follows with Live Tail sessions. "
        "Throttling, server errors and dropped connections are retried with exponential "
        "backoff (botocore's standard retry mode).\n\n"
        "To export a single stream in order, use ``aws logs pull``.\n\n"
        "Exit status: 0 on success (and on Ctrl-C while following); 252 for bad arguments; 255 for a "
        "service or network error; 130 on Ctrl-C otherwise.\n\n"
    )
    ARG_TABLE = [
        {"name": "log-group-name", "help_text": "<p>The log group to search.</p>"},
        *GROUP_ARGS,
        {
            "name": "log-stream-names", "nargs": "+",
            "help_text": "<p>Search only these streams: one or more names separated by spaces (up to 100). "
            "Not together with --log-stream-name-prefix.</p>",
        },
        {
            "name": "log-stream-name-prefix",
            "help_text": "<p>Search only the streams whose name starts with this. Not together "
            "with --log-stream-names.</p>",
        },
        {
            "name": "filter-pattern",
            "help_text": "<p>A CloudWatch Logs filter pattern, for example <code>ERROR</code>, "
            "<code>\"connection refused\"</code> or <code>{ $.level = \"error\" }</code>. "
            "Without it every event matches.</p>",
        },
        *WINDOW_ARGS,
        output_format_arg(DEFAULT_FORMAT, MANY_GROUPS_FORMAT),
        *FOLLOW_ARGS,
        LIVE_ARG,
        *LAST_ARGS,
        {"name": "histogram", "action": "store_true", "cli_type_name": "boolean",
         "help_text": "<p>On a terminal, after the events, draw how many matched in each time bucket of the window "
                      "(sized to the terminal: a bar about every two columns), counted from the events printed, "
                      "without a second search; times in <code>--time-zone</code>. Piped: the events only. Not with "
                      "--follow or --live.</p>"},
    ]
    EXAMPLES = (
        "Errors in the whole group over the last day::\n\n"
        "  aws logs filter --log-group-name app --filter-pattern ERROR --start-time 1d\n\n"
        "Two streams, as JSON lines::\n\n"
        "  aws logs filter --log-group-name app --log-stream-names web-1 web-2 --output-format json\n\n"
        "Errors in every group whose name starts with ``/ecs/shop/``, followed live::\n\n"
        "  aws logs filter --log-group-name-prefix /ecs/shop/ --filter-pattern ERROR --live\n\n"
        "The 50 newest errors of every group whose name starts with ``/ecs/shop/``, newest first::\n\n"
        "  aws logs filter --log-group-name-prefix /ecs/shop/ --filter-pattern ERROR --last 50 --newest-first\n\n"
        "Watch for new errors in streams starting with ``web-``::\n\n"
        "  aws logs filter --log-group-name app --log-stream-name-prefix web- --filter-pattern ERROR --follow\n"
    )

    def run(self, parsed_args, parsed_globals):
        if parsed_args.log_stream_names and parsed_args.log_stream_name_prefix is not None:
            raise UsageError("--log-stream-names and --log-stream-name-prefix cannot be used together")
        one_group = chosen_group_option(parsed_args, GROUP_OPTIONS) == "log_group_name"
        start, end = parse_window(parsed_args)
        delay = check_pull_delay(parsed_args)
        check_live(parsed_args, end)
        check_last(parsed_args, start)
        if parsed_args.histogram and (parsed_args.follow or parsed_args.live):
            raise UsageError("--histogram counts the events of a window: not with --follow or --live")
        drawn = parsed_args.histogram and isatty(sys.stdout)
        request = {key: value for key, value in {
            "interleaved": True, "logStreamNames": parsed_args.log_stream_names,
            "logStreamNamePrefix": parsed_args.log_stream_name_prefix,
            "filterPattern": parsed_args.filter_pattern}.items() if value is not None}
        client = parse_json_quickly(create_logs_client(self._session, parsed_globals), "FilterLogEvents")
        if parsed_args.follow or parsed_args.live:
            self.exit_on_interrupt = 0
        if one_group and not parsed_args.live and parsed_args.last is None:
            formatter = make_formatter(parsed_args.output_format or DEFAULT_FORMAT)
            request = dict(request, logGroupName=parsed_args.log_group_name, **window(start, end))
            if parsed_args.follow:
                pages = follow_filter_pages(client, request, end, delay)
            else:
                pages = iter_filter_pages(client, request, end)
            write_with_histogram(pages, formatter, drawn and (start, end, parsed_args.time_zone))
            return 0
        names = [parsed_args.log_group_name] if one_group else parsed_args.log_group_names
        source = GroupSource(client, names, parsed_args.log_group_name_prefix, parsed_args.log_group_name_pattern,
                             delay)
        several = len(source.current()) > 1 or not source.fixed
        formatter = make_formatter(parsed_args.output_format or (MANY_GROUPS_FORMAT if several else DEFAULT_FORMAT))
        if parsed_args.last is not None:
            pages = in_order(newest_in_groups(client, source, {**request, **window(start, end)}, parsed_args.last),
                             parsed_args.newest_first)
        else:
            pages = group_pages(self.NAME, self._session, parsed_globals, client, source, request, parsed_args, start,
                                end, delay)
        write_with_histogram(pages, formatter, drawn and (start, end, parsed_args.time_zone))
        return 0

    def missing_resource(self, parsed_args):
        return f"log group '{parsed_args.log_group_name}'" if parsed_args.log_group_name else None



def write_with_histogram(pages, formatter, window):
    """write_pages; then, with ``window`` (start ms, end ms, time zone), the events' histogram."""
    if not window:
        write_pages(pages, formatter, progress_for())
        return
    stamps = []

    def counted(pages):
        for events in pages:
            stamps.extend(event["timestamp"] for event in events)
            yield events
    write_pages(counted(pages), formatter, progress_for())
    start, end, zone = window
    size = shutil.get_terminal_size()
    starts, counts, seconds = histogram(stamps, start, end, size.columns)
    if counts:
        title = f"{len(stamps):,} events, per {size_text(seconds)}  (times in {'UTC' if zone == 'UTC' else 'local time'})"
        sys.stdout.write(draw(time_labels(starts, zone == "UTC"), {"events": counts}, size.columns,
                              max(min(size.lines - 4, 20), 10), title))
        sys.stdout.flush()
