"""What pull and filter share: time-window and output arguments, and writing pages of events."""
import sys
import time

from awscli_cwlogs.cli import UsageError
from awscli_cwlogs.export.output import FIELDS, EventFormatter
from awscli_cwlogs.export.timeparse import HELP as TIME_HELP
from awscli_cwlogs.export.timeparse import TIME_ZONES, parse_time

_FIELD_LIST = ", ".join("<code>{%s}</code>" % field for field in FIELDS)

WINDOW_ARGS = [
    {"name": "start-time", "help_text": f"<p>Only events at or after this time (inclusive). {TIME_HELP}.</p>"},
    {"name": "end-time", "help_text": f"<p>Only events before this time (exclusive). {TIME_HELP}.</p>"},
    {
        "name": "time-zone", "default": "LOCAL", "choices": list(TIME_ZONES),
        "help_text": "<p>How to read --start-time and --end-time given without a UTC offset: "
        "<code>LOCAL</code> (the default, this machine's zone, as <code>aws logs tail</code> "
        "does) or <code>UTC</code>. Output timestamps are always UTC.</p>",
    },
]

FOLLOW_ARGS = [
    {
        "name": "follow", "action": "store_true", "cli_type_name": "boolean",
        "help_text": "<p>After the last event, keep polling for new ones until interrupted "
        "(Ctrl-C exits with status 0).</p>",
    },
    {
        "name": "pull-delay", "cli_type_name": "integer", "default": 1000,
        "help_text": "<p>With --follow, milliseconds to wait after a poll that found nothing new "
        "(default 1000).</p>",
    },
]


def output_format_arg(default, several=None, whole_group=None):
    """The --output-format argument; ``several``: the default with more than one log group,
    ``whole_group``: with one group's every stream (the command then picks the default itself)."""
    shown = f"<code>{default}</code>" + (f"; for a whole group <code>{whole_group}</code>" if whole_group else "") \
        + (f"; with several groups <code>{several}</code>" if several else "")
    return {
        "name": "output-format", **({} if several else {"default": default}),
        "help_text": f"<p>How each event is printed: a template over {_FIELD_LIST} "
        f"(default {shown}), or <code>json</code> for one JSON object per line "
        "with the fields as the API returns them (times in epoch milliseconds). In a template "
        "the times are ISO 8601 UTC with milliseconds, always 24 characters "
        "(<code>2026-11-22T04:36:59.123Z</code>); write <code>{{</code> and <code>}}</code> "
        "for literal braces.</p>",
    }


def parse_window(parsed_args, now=time.time):
    """(start, end) in epoch ms, either possibly None; UsageError naming the bad argument."""
    bounds = []
    for name in ("start_time", "end_time"):
        text = getattr(parsed_args, name)
        try:
            bounds.append(None if text is None else parse_time(text, parsed_args.time_zone, now))
        except ValueError as error:
            raise UsageError(f"--{name.replace('_', '-')}: {error}") from None
    start, end = bounds
    if start is not None and end is not None and start >= end:
        raise UsageError("--start-time must be before --end-time (the end is exclusive)")
    return start, end


def make_formatter(template, log_stream_name=None):
    try:
        return EventFormatter(template, log_stream_name)
    except ValueError as error:
        raise UsageError(f"--output-format: {error}") from None


def check_pull_delay(parsed_args):
    if parsed_args.pull_delay < 0:
        raise UsageError(f"--pull-delay: {parsed_args.pull_delay} is negative; give milliseconds >= 0")
    return parsed_args.pull_delay / 1000.0


def before(end, events):
    """The events before ``end`` (exclusive), whatever the endpoint did with its endTime."""
    if end is None:
        return events
    return [event for event in events if event["timestamp"] < end]


def write_pages(pages, formatter, progress, out=None, after_page=None):
    """Streams each page of events to ``out`` (binary, UTF-8) as soon as it arrives;
    ``after_page(count)`` runs once a page is flushed."""
    out = out or sys.stdout.buffer
    render = formatter.format_page
    try:
        for events in pages:
            if not events:
                continue
            out.write(render(events).encode("utf-8", "replace"))
            out.flush()
            if after_page is not None:
                after_page(len(events))
            progress.add(len(events), events[-1]["timestamp"])
    finally:
        progress.finish()
