"""Renders log events as lines: a ``{field}`` template or one JSON object per line."""
import json
import string
import time

FIELDS = ("timestamp", "ingestionTime", "message", "logStreamName", "eventId")
TIME_FIELDS = ("timestamp", "ingestionTime")
JSON = "json"


def iso_millis(epoch_ms, _cache={}):
    """``2026-11-22T04:36:59.123Z``: ISO 8601 UTC, always 24 characters for years 1000-9999."""
    seconds, millis = divmod(epoch_ms, 1000)
    prefix = _cache.get(seconds)
    if prefix is None:
        if len(_cache) > 4096:
            _cache.clear()
        prefix = _cache[seconds] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{prefix}.{millis:03d}Z"


class EventFormatter:
    """``format(event)`` returns one output line, newline included.

    A template names fields as ``{timestamp}``; the timestamps are rendered as ISO 8601
    UTC. ``json`` writes the event's fields as the API returns them (epoch milliseconds).
    """

    def __init__(self, template, log_stream_name=None):
        self._stream = log_stream_name
        if template == JSON:
            self.format = self._format_json
            return
        self._template = template
        self._fields = _template_fields(template)
        self.format = self._format_template
        sample = {"timestamp": 0, "ingestionTime": 0, "message": "m", "logStreamName": "s", "eventId": "1"}
        try:
            self.format(sample)
        except (ValueError, TypeError, IndexError, KeyError) as error:
            raise ValueError(f"cannot render the template '{template}': {error}") from None

    def _format_template(self, event):
        values = {}
        for name in self._fields:
            value = event.get(name)
            if value is None:
                value = self._stream if name == "logStreamName" else ""
            elif name in TIME_FIELDS:
                value = iso_millis(value)
            values[name] = value
        return self._template.format_map(values) + "\n"

    def _format_json(self, event):
        record = {name: event[name] for name in FIELDS if name in event}
        if "logStreamName" not in record and self._stream is not None:
            record["logStreamName"] = self._stream
        return json.dumps(record, ensure_ascii=False) + "\n"


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
