"""Renders log events as lines: a ``{field}`` template or one JSON object per line."""
import json
import operator
import string

from awscli_cwlogs.timefmt import MILLIS_SUFFIXES, SECOND_PREFIXES, iso_millis

FIELDS = ("timestamp", "ingestionTime", "message", "logStreamName", "eventId", "logGroupName")
TIME_FIELDS = ("timestamp", "ingestionTime")
JSON = "json"
_THOUSAND = 1000


class EventFormatter:
    """``format_page(events)`` returns their output lines, newlines included (``format(event)``:
    one line).

    A template names fields as ``{timestamp}``; the timestamps are rendered as ISO 8601
    UTC. ``json`` writes the event's fields as the API returns them (epoch milliseconds).
    A page is rendered column by column (each field's values, then one str.format per line):
    a fraction of the per-line dict and format_map.
    """

    def __init__(self, template, log_stream_name=None):
        self._stream = log_stream_name
        if template == JSON:
            self.format = self._format_json
            self.format_page = lambda events: "".join(map(self._format_json, events))
            return
        _template_fields(template)  # unknown fields and broken braces: ValueError with the reason
        parts = list(string.Formatter().parse(template))
        self._line = "".join(literal.replace("{", "{{").replace("}", "}}") + _placeholder(name, conversion, spec)
                             for literal, name, spec, conversion in parts) + "\n"
        self._columns = [name for _, name, _, _ in parts if name is not None]
        self._template = template + "\n"
        sample = {"timestamp": 0, "ingestionTime": 0, "message": "m", "logStreamName": "s", "eventId": "1",
                  "logGroupName": "g"}
        try:
            self.format_page([sample])
        except (ValueError, TypeError, IndexError, KeyError) as error:
            raise ValueError(f"cannot render the template '{template}': {error}") from None

    def format(self, event):
        return self.format_page([event])

    def format_page(self, events):
        if not self._columns:
            return self._template.format() * len(events)
        return "".join(map(self._line.format, *[self._column(name, events) for name in self._columns]))

    def _column(self, name, events):
        if name in TIME_FIELDS:
            return _iso_column([event.get(name) for event in events])
        try:
            return list(map(operator.itemgetter(name), events))  # the API's events have message, ...
        except KeyError:  # ... but GetLogEvents' no logStreamName, no event an eventId, one group no logGroupName
            default = (self._stream or "") if name == "logStreamName" else ""
            return [event.get(name, default) for event in events]

    def _format_json(self, event):
        record = {name: event[name] for name in FIELDS if name in event}
        if "logStreamName" not in record and self._stream is not None:
            record["logStreamName"] = self._stream
        return json.dumps(record, ensure_ascii=False) + "\n"


def _placeholder(name, conversion, spec):
    """A positional ``{}`` keeping the field's conversion and format spec (``{message:.80}``)."""
    if name is None:
        return ""
    return "{" + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def _iso_column(values):
    """iso_millis of each value ("" for None), by map: no Python code runs per value."""
    if None in values:
        return [iso_millis(value) if value is not None else "" for value in values]
    return list(map(str.__add__, map(SECOND_PREFIXES.__getitem__, map(_THOUSAND.__rfloordiv__, values)),
                    map(MILLIS_SUFFIXES.__getitem__, map(_THOUSAND.__rmod__, values))))


def _template_fields(template):
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f"broken braces in '{template}': {error}; write {{{{ and }}}} for literal braces") from None
    fields = []
    for _, name, _, _ in parts:
        if name is None:
            continue
        if name not in FIELDS:
            known = ", ".join("{%s}" % field for field in FIELDS)
            raise ValueError(f"unknown field {{{name}}} in '{template}'; fields are {known} or the word json")
        if name not in fields:
            fields.append(name)
    return fields
