"""How ``filter`` and ``pull`` read log groups: which ones (one, names, a prefix, a pattern) and
how (searched to the end, followed by polling, or followed live)."""
import re
import sys
from urllib.parse import urlsplit

from awscli_cwlogs.cli import CommandError, UsageError, create_logs_client
from awscli_cwlogs.export.live import GROUP_LIMIT, LiveSession, LiveTail, LiveUnavailable, session_request
from awscli_cwlogs.export.search import filter_groups, follow_groups

AWS_ENDPOINT = re.compile(r"logs(-fips)?\.[a-z0-9-]+\.(amazonaws\.com(\.cn)?|api\.aws)$")

GROUP_ARGS = [
    {"name": "log-group-names", "nargs": "+",
     "help_text": "<p>Read several log groups, separated by spaces: their events are merged in time order, "
                  "each line with its group (<code>{logGroupName}</code>).</p>"},
    {"name": "log-group-name-prefix",
     "help_text": "<p>Read every log group whose name starts with this; with --follow, groups created "
                  "meanwhile join (listed again every 20 --pull-delay, 1 to 30 s).</p>"},
    {"name": "log-group-name-pattern",
     "help_text": "<p>Read every log group whose name contains this (case-insensitive), as "
                  "DescribeLogGroups' logGroupNamePattern.</p>"},
]

LIVE_ARG = {
    "name": "live", "action": "store_true", "cli_type_name": "boolean",
    "help_text": "<p>Follow with a Live Tail session (StartLiveTail, up to 10 log groups) instead of polling: "
    "events show within a second or two. The session is renewed before the service's three-hour limit and "
    "whenever the service ends it; what arrived between two sessions is found with FilterLogEvents, so "
    "nothing is missed or printed twice. Events show as the service delivers them (nearly, not strictly, "
    "in time order). Above 500 matching events a second the service shows a sample; a warning on "
    "standard error says so while it lasts. Where the endpoint has no Live Tail, a notice says so and the "
    "command polls instead. With --start-time, the events since then come first. Not with --end-time.</p>",
}


def chosen_group_option(parsed_args, names):
    """The one group option given among ``names`` (argparse attribute names), or UsageError."""
    chosen = [name for name in names if getattr(parsed_args, name, None)]
    if len(chosen) != 1:
        options = [f"--{name.replace('_', '-')}" for name in names]
        raise UsageError(f"give one of {', '.join(options[:-1])} and {options[-1]}")
    return chosen[0]


def check_live(parsed_args, end):
    if parsed_args.live and end is not None:
        raise UsageError("--live follows from now on: --end-time cannot be used with it")


def group_pages(command_name, session, parsed_globals, client, source, request, parsed_args, start, end, delay):
    """The events of ``source``'s groups: searched to the end, followed by polling, or followed live
    (--live); ``request``: FilterLogEvents' arguments but the group and the times."""
    if parsed_args.live:
        if (len(source.current()) > 1 or not source.fixed) and (
                request.get("logStreamNames") or request.get("logStreamNamePrefix") is not None):
            raise UsageError("--live: --log-stream-names and --log-stream-name-prefix take one log group only")
        return LiveReading(command_name, session, parsed_globals, client, source, request).pages(start, delay)
    request = dict(request, **window(start, end))
    if parsed_args.follow:
        return follow_groups(client, source, request, end, delay)
    return filter_groups(client, source.current(), request, end)


def window(start, end):
    """FilterLogEvents' startTime and endTime, those given."""
    return {key: value for key, value in (("startTime", start), ("endTime", end)) if value is not None}


class LiveReading:
    """Follows the groups of ``source`` with Live Tail (export.live), falling back to polling
    where the endpoint has none."""

    def __init__(self, command_name, session, parsed_globals, search_client, source, request):
        self._name, self._search_client, self._source = command_name, search_client, source
        self._request = request
        self._client = create_logs_client(session, parsed_globals)
        if not AWS_ENDPOINT.match(urlsplit(self._client.meta.endpoint_url).hostname or ""):
            # botocore sends StartLiveTail to "stream-" + the host: a name only AWS's own endpoints have
            self._client = create_logs_client(session, parsed_globals, inject_host_prefix=False)
        self._groups = None

    def pages(self, start, delay):
        if len(self._source.current()) > GROUP_LIMIT:
            raise UsageError(f"--live: {len(self._source.current())} log groups match; a live tail session "
                             f"takes up to {GROUP_LIMIT} (follow without --live for more)")
        tail = LiveTail(self._open, self._search, self.warn, self._changed)
        try:
            return tail.pages(start)
        except LiveUnavailable as reason:
            self.warn(f"live tail is not available from this endpoint ({reason}); polling instead")
            request = dict(self._request, **({"startTime": start} if start is not None else {}))
            return follow_groups(self._search_client, self._source, request, None, delay)

    def warn(self, line):
        sys.stderr.write(f"aws logs {self._name}: {line}\n")
        sys.stderr.flush()

    def _open(self, first):
        groups = self._followed()
        if len(self._source.current()) > GROUP_LIMIT:
            self.warn(f"{len(self._source.current())} log groups match now; live tail follows the first "
                      f"{GROUP_LIMIT} by name")
        self._groups = groups
        names_by_arn = group_arns(self._search_client, groups)
        return LiveSession(self._client, session_request(names_by_arn, self._request), names_by_arn, first)

    def _followed(self):
        return sorted(self._source.current())[:GROUP_LIMIT]

    def _changed(self):
        """A group joined or went (a prefix or pattern, listed again now and then)."""
        return not self._source.fixed and self._followed() != self._groups

    def _search(self, start, ingested_from):
        """Pages of the groups' events since ``start``, those ingested from ``ingested_from``."""
        request = dict(self._request, startTime=start)
        for page in filter_groups(self._search_client, self._groups, request):
            yield [_without_id(event) for event in page
                   if ingested_from is None or (event.get("ingestionTime") or event["timestamp"]) >= ingested_from]


def group_arns(client, names):
    """{ARN: name} of these groups (StartLiveTail takes ARNs); CommandError for one that does not exist."""
    arns = {}
    for name in names:
        pages = client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
        found = [group for page in pages for group in page.get("logGroups", []) if group["logGroupName"] == name]
        if not found:
            raise CommandError(f"log group '{name}' not found")
        arns[found[0].get("logGroupArn") or found[0]["arn"].removesuffix(":*")] = name
    return arns


def _without_id(event):
    event.pop("eventId", None)
    return event

