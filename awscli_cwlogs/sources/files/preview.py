"""--check for files: how the live file's first lines become events (timestamps, joined lines,
parts), and the problems they show (a datetime_format or multi-line pattern that matches no line,
timestamps the service would reject)."""
from awscli_cwlogs.lines.events import DEFAULT_MULTI_LINE_START, EventReader, event_spec
from awscli_cwlogs.limits import TOO_NEW_S, TOO_OLD_S
from awscli_cwlogs.sources.base import shorten
from awscli_cwlogs.timefmt import iso_millis

PREVIEW_LINES = 10
PREVIEW_BYTES = 65_536


def preview(path, stream, now):
    """Lines showing how the file's first lines become events, and the problems they reveal."""
    with open(path, "rb") as source:
        head = source.read(PREVIEW_BYTES)
    raw_lines = head.split(b"\n")
    last = raw_lines.pop()  # after the last newline: a partial line, or the end of a file without one
    if last and len(head) < PREVIEW_BYTES:
        raw_lines.append(last)
    raw_lines = raw_lines[:PREVIEW_LINES]
    if not raw_lines:
        return ["  the live file has no complete line yet: nothing to preview"], []
    spec = event_spec(stream.options.lines, stream.batch_size, now=now)
    texts = [raw.decode(stream.options.lines.encoding, "replace").rstrip("\r") for raw in raw_lines]
    groups = _group_lines(raw_lines, spec, now)
    out = [f"  first {len(raw_lines)} line(s) of {path} as events:"]
    problems, parsed_any, previous = [], False, None
    for number, (first, last, events) in enumerate(groups, 1):
        text = texts[first]
        shown = shorten(text)
        if not events:
            out.append(f"    line {first + 1}: blank, not sent")
            continue
        parsed = spec.timestamp(text) if spec.timestamp else None
        timestamp = events[0][0]
        if parsed is not None:
            parsed_any = True
            when = iso_millis(timestamp)
            age = now() - timestamp / 1000
            if age > TOO_OLD_S:
                problems.append(f"datetime_format: line {first + 1}'s timestamp {when} is more than 14 days old: "
                                "the service would reject it (check datetime_format and time_zone)")
            elif -age > TOO_NEW_S:
                problems.append(f"datetime_format: line {first + 1}'s timestamp {when} is more than 2 hours ahead: "
                                "the service would reject it (check time_zone)")
        elif not spec.timestamp:
            when = "no datetime_format: the time it is read"
        else:
            when = f"no timestamp, falls back to {'the previous event' if previous else 'the time it is read'}"
        span = f"lines {first + 1}-{last + 1}" if last > first else f"line {first + 1}"
        joined = f"  (+{last - first} line(s) joined)" if last > first else ""
        parts = f"  (split into {len(events)} parts)" if len(events) > 1 else ""
        out.append(f"    event {number}, {span}: {when} | {shown}{joined}{parts}")
        previous = events
    return out, problems + _unmatched(stream.options.lines, spec, texts, parsed_any, path)


def _unmatched(lines, spec, texts, parsed_any, path):
    """The problems of a datetime_format or multi_line_start_pattern that matches none of ``texts``."""
    problems = []
    if lines.datetime_format and not parsed_any:
        problems.append(f"datetime_format: '{lines.datetime_format}' matches none of the first {len(texts)} "
                        f"line(s) of {path}; events would take the previous event's time or the time they are read")
    if lines.multi_line_start_pattern != DEFAULT_MULTI_LINE_START and not any(spec.starts_event(text) for text in texts):
        problems.append(f"multi_line_start_pattern: '{lines.multi_line_start_pattern}' matches none of the first "
                        f"{len(texts)} line(s) of {path}; they would all be joined into one event")
    return problems


def _group_lines(raw_lines, spec, now):
    """[(first line index, last line index, events)] as the reader forms events (no events: a blank line)."""
    reader = EventReader(spec, now=now)
    groups, start = [], 0
    for index, raw in enumerate(raw_lines):
        empty_before = reader.empty_events
        events = reader.feed(raw + b"\n")
        if index and (events or reader.empty_events != empty_before):
            groups.append((start, index - 1, events))
            start = index
    groups.append((start, len(raw_lines) - 1, reader.finish()))
    return groups
