"""The records of a JSON section's lines, a read at once: each line's time and name fields, read
by pattern from all of them (recordscan.py), and only the lines a pattern cannot tell about
parsed as JSON (where the records must be edited: drop_fields, a masked value that is an object).

Counts (never values): ``not_json`` (lines that are not a JSON object, sent as they are),
``no_time`` (records without a readable time field: they, and lines that are not JSON, take the
previous record's time).
"""
from operator import itemgetter

from awscli_cwlogs.lines.recordscan import FieldScan
from awscli_cwlogs.lines.records import NameFields, TimeField, field_value, parse_object, serialize

_FIRST, _LAST = itemgetter(slice(0, 1)), itemgetter(slice(-1, None))


class RecordLines:
    """``record``: the section's RecordFormat; ``lines``: its LineFormat, whose datetime_format
    and time_zone read the time field (None: the kind has none); ``names``: the {json:...}
    placeholders of its names; ``edits``: its FieldEdits, or None; ``counts``: the shaper's."""

    def __init__(self, record, lines, names, edits, counts):
        self.counts = counts
        self._names = NameFields(names, record.mask_fields, record.mask_text) if names else None
        self._time_path = tuple(record.timestamp_key.split(".")) if record.timestamp_key else None
        self._time = TimeField(getattr(lines, "datetime_format", None), getattr(lines, "time_zone", "LOCAL"))
        self._edits = edits
        paths = ([self._time_path] if self._time_path else []) + (self._names.paths if self._names else [])
        # the pattern reads top-level fields; a field named by its path, or drop_fields: every line is parsed
        self._scan = FieldScan(dict.fromkeys(path[0] for path in paths if len(path) == 1))
        self._parse_all = any(len(path) > 1 for path in paths) or (edits is not None and not edits.by_text)
        self._last_time = None
        self._not_json = 0

    def read(self, messages):
        """(messages, each one's time or None, each one's name values or None, whether each is
        not JSON or None, {line: values its record's edit masked} or None): fields read by
        pattern, else from the parsed line (and written again where its record was edited)."""
        count = len(messages)
        text = "\n" + "\n".join(messages)
        scan = self._scan
        columns = scan.read(messages, text) if scan.names else []
        if self._parse_all:
            parse = range(count)  # drop_fields, or a field named by its path
        else:
            parse = self._to_parse(messages, text, columns)
        fields = {name: list(column) for name, column in zip(scan.names, columns)}
        not_json = edited = None
        records = {}
        if parse:
            edited = {}
            not_json = [False] * count
            for index in parse:
                record = parse_object(messages[index])
                if record is None:
                    not_json[index] = True
                    self._not_json += 1
                    for column in fields.values():
                        column[index] = None
                    continue
                records[index] = record
                for name, column in fields.items():
                    column[index] = record.get(name)
                if self._edits is not None and self._edits.must_edit(messages[index]):
                    before = self._edits.total
                    if self._edits.apply(record):
                        messages[index] = serialize(record)
                        edited[index] = self._edits.total - before
            if self._not_json:
                self.counts["not_json"] = self._not_json
        times = self._times(fields, records, not_json, count) if self._time_path else None
        names = self._names.columns(fields, records, count) if self._names is not None else None
        return messages, times, names, not_json, edited

    def _to_parse(self, messages, text, columns):
        """Indexes of the lines whose fields a pattern did not read, or that do not look like an
        object (a line cut short); with no field to read, those that are not braced."""
        unread = set()
        for column in columns:
            if None in column:
                unread.update(index for index, value in enumerate(column) if value is None)
        if not columns and "".join(map(_FIRST, messages)).count("{") != len(messages):
            unread.update(index for index, message in enumerate(messages) if not message.startswith("{"))
        lasts = "".join(map(_LAST, messages))
        if lasts.count("}") != len(messages):
            unread.update(index for index, message in enumerate(messages) if not message.endswith("}"))
        if self._edits is not None and self._edits.nested_in(text):
            unread.update(index for index, message in enumerate(messages) if self._edits.nested_in(message))
        return sorted(unread)

    def _times(self, fields, records, not_json, count):
        """Each line's epoch ms: its field's, else the previous record's (None before any)."""
        path = self._time_path
        if len(path) == 1:
            values = fields[path[0]]
        else:
            values = [None] * count
            for index, record in records.items():
                values[index] = field_value(record, path)
        times = self._time.column_ms(values)
        if None in times:
            last = self._last_time
            for index, value in enumerate(times):
                if value is None:
                    times[index] = last
                    if not_json is None or not not_json[index]:
                        self.counts["no_time"] = self.counts.get("no_time", 0) + 1
                else:
                    last = value
        if times:
            self._last_time = times[-1] if times[-1] is not None else self._last_time
        return times
