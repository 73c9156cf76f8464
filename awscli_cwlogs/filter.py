"""``aws logs filter``: searches a whole log group with FilterLogEvents."""
import heapq
import itertools
import time

from botocore.exceptions import ClientError

from awscli_cwlogs.cli import LogsCommand, UsageError, create_logs_client, error_code, parse_json_quickly
from awscli_cwlogs.export.common import (FOLLOW_ARGS, WINDOW_ARGS, before, check_pull_delay, make_formatter,
                                         output_format_arg, parse_window, write_pages)
from awscli_cwlogs.export.groups import GroupSource, Pace, flattened, merged_pages
from awscli_cwlogs.export.progress import progress_for

DEFAULT_FORMAT = "{logStreamName} {timestamp} {message}"
MANY_GROUPS_FORMAT = "{logGroupName} {logStreamName} {timestamp} {message}"
HELD_MS = 1000  # following several groups: an event waits until every group was searched this long after it


def iter_filter_pages(client, request, end=None):
    """Yields the pages of one FilterLogEvents search, following nextToken until it is absent."""
    request = dict(request)
    while True:
        page = client.filter_log_events(**request)
        yield before(end, page.get("events", []))
        token = page.get("nextToken")
        if not token:
            return
        request["nextToken"] = token


class NewEvents:
    """Between polls of a followed search, remembers the IDs of the events at the newest
    timestamp seen; the next poll starts at that timestamp and drops the IDs it already
    printed, so no event is printed twice and none with that timestamp is missed."""

    def __init__(self):
        self.newest = None
        self._ids_at_newest = set()

    def only_new(self, pages):
        printed = self._ids_at_newest
        newest, ids = self.newest, set(printed)
        for events in pages:
            yield [event for event in events if event["eventId"] not in printed]
            for event in events:
                timestamp = event["timestamp"]
                if newest is None or timestamp > newest:
                    newest, ids = timestamp, {event["eventId"]}
                elif timestamp == newest:
                    ids.add(event["eventId"])
        self.newest, self._ids_at_newest = newest, ids


def follow_filter_pages(client, request, end=None, delay=1.0, sleep=time.sleep, clock=time.time):
    """Repeats the search from the newest timestamp seen, forever or until ``end`` has passed."""
    window = NewEvents()
    request = dict(request)
    while True:
        found = 0
        for events in window.only_new(iter_filter_pages(client, request, end)):
            found += len(events)
            yield events
        if end is not None and clock() * 1000 >= end:
            return
        if window.newest is not None:
            request["startTime"] = window.newest
        if not found:
            sleep(delay)


def filter_groups(client, groups, request, end=None):
    """The events of several groups, merged in time order."""
    return merged_pages({group: flattened(iter_filter_pages(client, dict(request, logGroupName=group), end))
                         for group in groups})


def follow_groups(client, source, request, end=None, delay=1.0, sleep=time.sleep, clock=time.time):
    """Follows every group of ``source`` (new ones join at their next listing): each group is
    searched again from the newest timestamp it has shown, at its own pace (groups.Pace). An event
    is printed once every group has been searched past its time (less HELD_MS, for the service to
    have what was sent just before), so the output is in time order across groups."""
    windows, pace, held = {}, Pace(delay), HeldEvents()
    while True:
        groups = source.current()
        for group in pace.due(groups):
            window = windows.setdefault(group, NewEvents())
            group_request = dict(request, logGroupName=group)
            if window.newest is not None:
                group_request["startTime"] = window.newest
            searched_at = int(clock() * 1000)
            try:
                events = list(flattened(window.only_new(iter_filter_pages(client, group_request, end))))
            except ClientError as error:
                if source.fixed or error_code(error) != "ResourceNotFoundException":
                    raise
                events = []  # deleted since it was listed
            pace.polled(group, bool(events))
            held.add(group, events, searched_at)
        finished = end is not None and clock() * 1000 >= end
        yield held.ready(groups, everything=finished)
        if finished:
            return
        sleep(pace.pause(groups))


class HeldEvents:
    """Events found while following, held until every group has been searched past their time."""

    def __init__(self):
        self._events, self._searched_at, self._order = [], {}, itertools.count()

    def add(self, group, events, searched_at):
        self._searched_at[group] = searched_at
        for event in events:
            heapq.heappush(self._events, (event["timestamp"], next(self._order), dict(event, logGroupName=group)))

    def ready(self, groups, everything=False):
        """The held events before the time all ``groups`` have been searched to, oldest first."""
        until = min((self._searched_at.get(group, 0) for group in groups), default=0) - HELD_MS
        ready = []
        while self._events and (everything or self._events[0][0] < until):
            ready.append(heapq.heappop(self._events)[2])
        return ready


class FilterCommand(LogsCommand):
    NAME = "filter"
    DESCRIPTION = (
        "Searches a log group across its streams with FilterLogEvents and writes the "
        "matching events to standard output, interleaved by time.\n\n"
        "It pages until the service returns no next token. With --follow it repeats the "
        "search from the newest timestamp it has seen and never prints an event twice. "
        "Throttling, server errors and dropped connections are retried with exponential "
        "backoff (botocore's standard retry mode).\n\n"
        "To export a single stream in order, use ``aws logs pull``.\n\n"
    )
    ARG_TABLE = [
        {"name": "log-group-name", "help_text": "<p>The log group to search.</p>"},
        {"name": "log-group-names", "nargs": "+",
         "help_text": "<p>Search several log groups, separated by spaces: their events are merged in time order, "
                      "each line with its group (<code>{logGroupName}</code>).</p>"},
        {"name": "log-group-name-prefix",
         "help_text": "<p>Search every log group whose name starts with this; with --follow, groups created "
                      "meanwhile join (listed again every 20 --pull-delay, 1 to 30 s).</p>"},
        {"name": "log-group-name-pattern",
         "help_text": "<p>Search every log group whose name contains this (case-insensitive), as "
                      "DescribeLogGroups' logGroupNamePattern.</p>"},
        {
            "name": "log-stream-names", "nargs": "+",
            "help_text": "<p>Search only these streams: one or more names separated by spaces (up to 100). Not together with "
            "--log-stream-name-prefix.</p>",
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
    ]
    EXAMPLES = (
        "Errors in the whole group over the last day::\n\n"
        "  aws logs filter --log-group-name app --filter-pattern ERROR --start-time 1d\n\n"
        "Two streams, as JSON lines::\n\n"
        "  aws logs filter --log-group-name app --log-stream-names web-1 web-2 --output-format json\n\n"
        "Watch for new errors in streams starting with ``web-``::\n\n"
        "  aws logs filter --log-group-name app --log-stream-name-prefix web- --filter-pattern ERROR --follow\n"
    )

    def run(self, parsed_args, parsed_globals):
        if parsed_args.log_stream_names and parsed_args.log_stream_name_prefix is not None:
            raise UsageError("--log-stream-names and --log-stream-name-prefix cannot be used together")
        chosen = [name for name in ("log_group_name", "log_group_names", "log_group_name_prefix",
                                    "log_group_name_pattern") if getattr(parsed_args, name)]
        if len(chosen) != 1:
            raise UsageError("give one of --log-group-name, --log-group-names, --log-group-name-prefix and "
                             "--log-group-name-pattern")
        start, end = parse_window(parsed_args)
        delay = check_pull_delay(parsed_args)
        if not parsed_args.log_group_name:
            return self._run_many(parsed_args, parsed_globals, start, end, delay)
        formatter = make_formatter(parsed_args.output_format or DEFAULT_FORMAT)
        request = {"logGroupName": parsed_args.log_group_name, "interleaved": True}
        optional = {
            "logStreamNames": parsed_args.log_stream_names,
            "logStreamNamePrefix": parsed_args.log_stream_name_prefix,
            "filterPattern": parsed_args.filter_pattern,
            "startTime": start,
            "endTime": end,
        }
        request.update({key: value for key, value in optional.items() if value is not None})
        client = parse_json_quickly(create_logs_client(self._session, parsed_globals), "FilterLogEvents")
        if parsed_args.follow:
            self.exit_on_interrupt = 0
            pages = follow_filter_pages(client, request, end, delay)
        else:
            pages = iter_filter_pages(client, request, end)
        write_pages(pages, formatter, progress_for())
        return 0

    def _run_many(self, parsed_args, parsed_globals, start, end, delay):
        client = parse_json_quickly(create_logs_client(self._session, parsed_globals), "FilterLogEvents")
        source = GroupSource(client, parsed_args.log_group_names, parsed_args.log_group_name_prefix,
                             parsed_args.log_group_name_pattern, delay)
        groups = source.current()
        several = len(groups) > 1 or not source.fixed
        default = MANY_GROUPS_FORMAT if several else DEFAULT_FORMAT
        formatter = make_formatter(parsed_args.output_format or default)
        request = {key: value for key, value in {
            "interleaved": True, "logStreamNames": parsed_args.log_stream_names,
            "logStreamNamePrefix": parsed_args.log_stream_name_prefix, "filterPattern": parsed_args.filter_pattern,
            "startTime": start, "endTime": end}.items() if value is not None}
        if parsed_args.follow:
            self.exit_on_interrupt = 0
            pages = follow_groups(client, source, request, end, delay)
        else:
            pages = filter_groups(client, groups, request, end)
        write_pages(pages, formatter, progress_for())
        return 0

    def missing_resource(self, parsed_args):
        return f"log group '{parsed_args.log_group_name}'" if parsed_args.log_group_name else None
