"""``--last N``: the N newest events of a window, searched newest first and stopped as soon as
there are N: FilterLogEvents with startFromHead false over each group (``filter``, and ``pull``
over groups), GetLogEvents backwards over one stream (``pull``). Printed oldest first, unless
``--newest-first``."""
from botocore.exceptions import ClientError

from awscli_cwlogs.cli import UsageError, error_code
from awscli_cwlogs.export.common import before
from awscli_cwlogs.timefmt import iso_millis

NEWEST_FIRST_FROM_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z: the service searches newest first from here on
PAGE_EVENTS = 10_000  # the most events one FilterLogEvents or GetLogEvents gives

LAST_ARGS = [
    {"name": "last", "cli_type_name": "integer",
     "help_text": "<p>Only the N newest events of the window (matching the filter pattern, if any), found "
                  "newest first: the search stops as soon as it has them, instead of reading the window from its "
                  "start. Printed oldest first. Not with --follow or --live; a --start-time, if given, on or after "
                  "2024-01-01 (the service searches newest first from there).</p>"},
    {"name": "newest-first", "action": "store_true", "cli_type_name": "boolean",
     "help_text": "<p>With --last: print the newest event first.</p>"},
]


def check_last(parsed_args, start):
    """UsageError for --last with what it cannot go with."""
    if parsed_args.last is None:
        if parsed_args.newest_first:
            raise UsageError("--newest-first goes with --last")
        return
    if parsed_args.last < 1:
        raise UsageError(f"--last {parsed_args.last}: give a number of events, 1 or more")
    if parsed_args.follow or parsed_args.live:
        raise UsageError("--last reads the newest events once: not with --follow or --live")
    if start is not None and start < NEWEST_FIRST_FROM_MS:
        raise UsageError(f"--last: --start-time {iso_millis(start)} is before 2024-01-01, from where the service "
                         "searches newest first")


def in_order(events, newest_first):
    """The events to print, as one page."""
    return [events if newest_first else events[::-1]]


def newest_in_groups(client, source, request, count):
    """The ``count`` newest events of ``source``'s groups (each with ``logGroupName`` unless it is
    one group by name), newest first; ``request``: FilterLogEvents' arguments but the group."""
    groups = source.current()
    tagged = len(groups) > 1 or not source.fixed
    found = []
    for order, group in enumerate(groups):
        try:
            events = _newest_of_group(client, dict(request, logGroupName=group), count)
        except ClientError as error:
            if source.fixed or error_code(error) != "ResourceNotFoundException":
                raise
            continue  # deleted since it was listed
        found += [(event["timestamp"], -order, dict(event, logGroupName=group) if tagged else event)
                  for event in events]
    found.sort(key=lambda item: item[:2], reverse=True)
    return [event for _, _, event in found[:count]]


def _newest_of_group(client, request, count):
    request = {key: value for key, value in request.items() if key != "interleaved"}  # deprecated, and ignored
    request.update(startFromHead=False, limit=min(count, PAGE_EVENTS))
    events = []
    while len(events) < count:
        page = client.filter_log_events(**request)
        events += before(request.get("endTime"), page.get("events", []))
        token = page.get("nextToken")
        if not token:
            break
        request["nextToken"] = token
    events.sort(key=lambda event: event["timestamp"], reverse=True)  # the service's order, made sure of
    return events[:count]


def newest_in_stream(client, group, stream, start, end, count):
    """The ``count`` newest events of one stream in the window, newest first: GetLogEvents from
    the end, pages back with the backward token until there are as many or the stream's start."""
    request = {"logGroupName": group, "logStreamName": stream, "startFromHead": False,
               "limit": min(count, PAGE_EVENTS), **({"startTime": start} if start is not None else {}),
               **({"endTime": end} if end is not None else {})}
    events, token = [], None
    while len(events) < count:
        page = client.get_log_events(**request)
        events = before(end, page.get("events", [])) + events  # each page is in time order, the pages go back
        back = page.get("nextBackwardToken")
        if not page.get("events") or not back or back == token:
            break
        token = request["nextToken"] = back
    return events[::-1][:count]
