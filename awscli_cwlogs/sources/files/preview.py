"""--check for files: how the live file's first lines become events (timestamps, joined lines,
parts), and the problems they show (a datetime_format or multi-line pattern that matches no line,
timestamps the service would reject)."""
from awscli_cwlogs.lines.events import DEFAULT_MULTI_LINE_START, EventReader, event_limit, event_spec
from awscli_cwlogs.config.names import record_placeholders
from awscli_cwlogs.lines.shaping import Shaper, masked_summary
from awscli_cwlogs.limits import TOO_NEW_S, TOO_OLD_S
from awscli_cwlogs.sources.base import shorten
from awscli_cwlogs.timefmt import iso_millis

PREVIEW_LINES = 10
PREVIEW_BYTES = 65_536


def preview(path, stream, now):
    """Lines showing how the file's first lines become events, and the problems they reveal."""
    raw_lines = _first_lines(path)
    if not raw_lines:
        return ["  the live file has no complete line yet: nothing to preview"], []
    spec = event_spec(stream.options.lines, stream.batch_size, stream.record, now=now)
    texts = [raw.decode(stream.options.lines.encoding, "replace").rstrip("\r") for raw in raw_lines]
    groups = _group_lines(raw_lines, spec, now)
    shaper = None
    if not stream.record.plain:
        shaper = Shaper(stream.record, stream.options.lines, event_limit(stream.batch_size))
    key = "timestamp_key" if stream.record.timestamp_key else "datetime_format"
    out = [f"  first {len(raw_lines)} line(s) of {path} as events:"]
    problems, parsed_any, previous = [], False, None
    for number, (first, last, events) in enumerate(groups, 1):
        if not events:
            out.append(f"    line {first + 1}: blank, not sent")
            continue
        sent, timed = _as_sent(shaper, spec, stream.record, texts[first], events)
        parsed_any = parsed_any or bool(timed)
        when, problem = _time_of(timed, sent[0][0], key, first + 1, previous, now)
        problems += [problem] if problem else []
        span = f"lines {first + 1}-{last + 1}" if last > first else f"line {first + 1}"
        joined = f"  (+{last - first} line(s) joined)" if last > first else ""
        parts = f"  (split into {len(sent)} parts)" if len(sent) > 1 else ""
        out.append(f"    event {number}, {span}: {when} | {shorten(sent[0][1])}{joined}{parts}")  # masked
        previous = events
    return out, problems + _unmatched(stream.options.lines, spec, texts, parsed_any, path)


def _first_lines(path):
    with open(path, "rb") as source:
        head = source.read(PREVIEW_BYTES)
    raw_lines = head.split(b"\n")
    last = raw_lines.pop()  # after the last newline: a partial line, or the end of a file without one
    if last and len(head) < PREVIEW_BYTES:
        raw_lines.append(last)
    return raw_lines[:PREVIEW_LINES]


def _as_sent(shaper, spec, record, text, events):
    """(the events as sent, whether their time was read: from the line, or from the JSON field;
    None when nothing says where it is)."""
    if shaper is None or not record.timestamp_key:
        sent = events if shaper is None else shaper.shape(None, events)
        return sent, (spec.timestamp(text) is not None) if spec.timestamp else None
    missed = (shaper.counts.get("no_time", 0), shaper.counts.get("not_json", 0))
    sent = shaper.shape(None, events)
    return sent, missed == (shaper.counts.get("no_time", 0), shaper.counts.get("not_json", 0))


def _time_of(timed, timestamp, key, number, previous, now):
    """(what the preview says of an event's time, the problem it shows or None)."""
    if timed is None:
        return f"no {key}: the time it is read", None
    if not timed:
        return f"no timestamp, falls back to {'the previous event' if previous else 'the time it is read'}", None
    when = iso_millis(timestamp)
    age = now() - timestamp / 1000
    if age > TOO_OLD_S:
        return when, (f"{key}: line {number}'s timestamp {when} is more than 14 days old: the service would "
                      "reject it (check datetime_format and time_zone)")
    if -age > TOO_NEW_S:
        return when, (f"{key}: line {number}'s timestamp {when} is more than 2 hours ahead: the service would "
                      "reject it (check time_zone)")
    return when, None


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


def last_events_as_sent(path, stream, now, destination, count=5):
    """Lines showing the file's last ``count`` events as they would be sent: masked, with the time
    (a JSON line's from its field) and ``destination(timestamp, record values)`` (group, stream);
    then what the masks replaced in them."""
    with open(path, "rb") as source:
        size = source.seek(0, 2)
        source.seek(max(0, size - PREVIEW_BYTES))
        tail = source.read(PREVIEW_BYTES)
    if size > PREVIEW_BYTES:
        tail = tail[tail.find(b"\n") + 1:]  # from the first whole line
    spec = event_spec(stream.options.lines, stream.batch_size, stream.record, now=now)
    reader = EventReader(spec, now=now)
    events = (reader.feed(tail) + reader.finish())[-count:]
    names = record_placeholders(stream.log_group_name, stream.log_stream_name)
    shaper = Shaper(stream.record, stream.options.lines, event_limit(stream.batch_size), names)
    sent = shaper.shape(None, events)
    records = [dict(zip(names, own)) for own in shaper.records] if names else [{}] * len(sent)
    out = [f"  the last {len(sent)} event(s) of {path} as they would be sent:"]
    for (timestamp, message, *_), own in zip(sent, records):
        group, name = destination(timestamp, own)
        out.append(f"    {iso_millis(timestamp)} -> {group} / {name} | {shorten(message)}")
    out.append(f"  masked in them: {masked_summary(shaper.counts)}"
               + (f"; {shaper.counts['not_json']} not a JSON object" if shaper.counts.get("not_json") else ""))
    return out
