"""Structured (JSON) lines: the section keys that make an event a record, and what is read from
and changed in a record (its time, masked and dropped fields).

A field is named by its key, or by a dotted path from the top (``http.request.id``). In
``mask_fields`` and ``drop_fields`` a plain key matches at any depth, a dotted path only there.
"""
import json
import re
from dataclasses import dataclass

from awscli_cwlogs.lines.masking import Rule
from awscli_cwlogs.lines.instants import (EPOCH_UNITS, ISO8601, IsoValues, epoch_ms, epoch_text_ms, iso8601,
                                          timestamp_format)

MASK_TEXT = "***"
NAME_PREFIX = "json:"  # {json:service} or {json:a.b|default} in a section's names
MISSING = "unknown"  # a name field missing from a record, without a default of its own


@dataclass(frozen=True)
class RecordFormat:
    """A section's keys for structured lines and masking (every kind has them). ``log_format``:
    text or json; ``timestamp_key``: the field with the event's time (json); ``mask_detectors``:
    masking.py's detectors by name; ``mask_patterns``: regular expressions; ``mask_fields``/``drop_fields``:
    fields whose values become ``mask_text``, or that are left out (json)."""
    log_format: str = "text"
    timestamp_key: str = None
    mask_detectors: tuple = ()
    mask_patterns: tuple = ()
    mask_fields: tuple = ()
    drop_fields: tuple = ()
    mask_text: str = MASK_TEXT

    @property
    def is_json(self):
        return self.log_format == "json"

    @property
    def masks(self):
        """Whether messages may change (and their size with them)."""
        return bool(self.mask_detectors or self.mask_patterns or self.mask_fields or self.drop_fields)

    @property
    def plain(self):
        """Whether events pass as they are read: nothing to parse, time or mask."""
        return not self.is_json and not self.masks


RECORD_KEYS = tuple(name for name in RecordFormat.__dataclass_fields__)


def parse_object(message, _loads=json.loads):
    """The JSON object a message holds, else None (text, a JSON array or number, broken JSON)."""
    if not message.startswith("{"):
        stripped = message.lstrip()
        if not stripped.startswith("{"):
            return None
        message = stripped
    try:
        value = _loads(message)
    except ValueError:
        return None
    return value if type(value) is dict else None  # noqa: E721


def field_value(record, path):
    """The value at ``path`` (a tuple of keys), else None."""
    value = record
    for key in path:
        if type(value) is not dict:  # noqa: E721
            return None
        value = value.get(key)
    return value


def serialize(record):
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class TimeField:
    """Epoch ms of a time field's value: a number (epoch, unit stated by ``datetime_format`` =
    epoch_s/ms/us/ns or told by its size), or text (ISO 8601, an epoch number, or
    ``datetime_format``'s strptime-style format)."""

    def __init__(self, datetime_format=None, time_zone="LOCAL"):
        self._factor = EPOCH_UNITS.get(datetime_format)
        custom = datetime_format is not None and datetime_format not in EPOCH_UNITS and datetime_format != ISO8601
        self._text = timestamp_format(datetime_format, time_zone) if custom else None
        self._iso = iso8601(time_zone)
        self._iso_values = IsoValues(time_zone) if self._text is None else None

    def column_ms(self, values):
        """[epoch_ms(value) for value in values], ISO 8601 texts list-wise."""
        if self._iso_values is not None and values and None not in values and set(map(type, values)) == {str}:
            times = self._iso_values.epoch_ms(values)
            if times is not None:
                return times
        return list(map(self.epoch_ms, values))

    def epoch_ms(self, value):
        kind = type(value)
        if kind is int or kind is float:
            return epoch_ms(value, self._factor)
        if kind is not str or not value:
            return None
        if self._text is not None:
            return self._text.parse(value)
        if value[0].isdigit() and value[-1].isdigit() and "-" not in value and ":" not in value:
            return epoch_text_ms(value, self._factor)
        return self._iso.parse(value)


class FieldEdits:
    """mask_fields and drop_fields applied to a record in place; ``apply`` says whether it
    changed. ``counts["mask_fields"]``: values masked. Where only mask_fields are given, by
    name (``by_text``), the values are masked where they are written (text_rule(), a
    masking.Rule), and a record is edited only where a value to mask is an object or a list."""

    def __init__(self, mask_fields, drop_fields, mask_text=MASK_TEXT, counts=None):
        self._mask_anywhere = {name for name in mask_fields if "." not in name}
        self._drop_anywhere = {name for name in drop_fields if "." not in name}
        self._mask_paths = [tuple(name.split(".")) for name in mask_fields if "." in name]
        self._drop_paths = [tuple(name.split(".")) for name in drop_fields if "." in name]
        self._mask_text = mask_text
        self.counts = {} if counts is None else counts
        self.total = 0  # values masked in records
        names = [name.split(".")[-1] for name in (*mask_fields, *drop_fields)]
        self._quoted = [json.dumps(name) for name in names]
        self.by_text = bool(self._mask_anywhere) and not (self._drop_anywhere or self._drop_paths or self._mask_paths)
        keys = "|".join(re.escape(json.dumps(name)) for name in sorted(self._mask_anywhere))
        # a quoted name followed by a colon is a key wherever it is in a JSON line
        self._nested = re.compile(rf"(?:{keys})[ \t]*:[ \t]*[\[{{]").search if self.by_text else None
        self._keys = keys

    def text_rule(self):
        """The masking.Rule that masks mask_fields' scalar values where they are written (a
        value masked already, its record edited, is left as it is)."""
        masked = re.escape(json.dumps(self._mask_text, ensure_ascii=False))
        value = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|-?[0-9][0-9.eE+-]*|true|false|null'
        pattern = re.compile(rf'((?:{self._keys})[ \t]*:[ \t]*)(?!{masked}(?:[,}}\]\s]|$))(?:{value})')
        return Rule("mask_fields", pattern, keyed=True, worth_trying=self.mentioned)

    def nested_in(self, text):
        """Whether a value to mask is an object or a list somewhere in ``text`` (by_text)."""
        return self._nested is not None and self._nested(text) is not None

    def must_edit(self, message):
        """Whether the record of ``message`` must be edited (the text rule cannot do it)."""
        return self.nested_in(message) if self.by_text else self.mentioned(message)

    def mentioned(self, message):
        """Whether a field these edits name may be in the message (else there is nothing to do)."""
        return any(quoted in message for quoted in self._quoted)

    def apply(self, record):
        changed = False
        for path in self._drop_paths:
            parent = field_value(record, path[:-1])
            if type(parent) is dict and path[-1] in parent:  # noqa: E721
                del parent[path[-1]]
                changed = True
        for path in self._mask_paths:
            parent = field_value(record, path[:-1])
            if type(parent) is dict and path[-1] in parent:  # noqa: E721
                parent[path[-1]] = self._mask_text
                self._count()
                changed = True
        if self._mask_anywhere or self._drop_anywhere:
            changed = self._walk(record) or changed
        return changed

    def _walk(self, value):
        changed = False
        if type(value) is dict:  # noqa: E721
            for key in list(value):
                if key in self._drop_anywhere:
                    del value[key]
                    changed = True
                elif key in self._mask_anywhere:
                    value[key] = self._mask_text
                    self._count()
                    changed = True
                else:
                    changed = self._walk(value[key]) or changed
        elif type(value) is list:  # noqa: E721
            for item in value:
                changed = self._walk(item) or changed
        return changed

    def _count(self):
        self.counts["mask_fields"] = self.counts.get("mask_fields", 0) + 1
        self.total += 1


class NameFields:
    """The values of a section's {json:...} name placeholders in a record: ``placeholders`` are
    their texts as written between the braces (``json:service|unknown``)."""

    def __init__(self, placeholders, masked=(), mask_text=MASK_TEXT):
        """``masked``: mask_fields' names; a name made of one is made of ``mask_text`` instead."""
        self._fields = []
        for placeholder in placeholders:
            path, _, default = placeholder[len(NAME_PREFIX):].partition("|")
            path = tuple(path.split("."))
            if path[-1] in {name.split(".")[-1] for name in masked}:
                default = mask_text  # never a masked value in a stream's name
                path = ("\0",)
            self._fields.append((placeholder, path, default or MISSING))

    @property
    def paths(self):
        """The paths of the fields read (a masked one's is not)."""
        return [path for _, path, _ in self._fields if path != ("\0",)]

    def defaults(self):
        """{placeholder: the value it takes where its field is missing}."""
        return {placeholder: default for placeholder, _, default in self._fields}

    def values(self, record):
        """The placeholders' values in ``record`` (None: not a record), as text, else their defaults."""
        return tuple(_name_text(None if record is None else field_value(record, path), default)
                     for _, path, default in self._fields)

    def columns(self, fields, records, count):
        """Each line's values(): ``fields``: top-level name -> each line's value (None: missing
        or not read); ``records``: line -> its record, where it was parsed."""
        columns = []
        for _, path, default in self._fields:
            if len(path) == 1 and path[0] in fields:
                column = fields[path[0]]
            else:
                column = [None] * count
                for index, record in records.items():
                    column[index] = field_value(record, path)
            if None in column or "" in column or set(map(type, column)) != {str}:
                column = [_name_text(value, default) for value in column]
            columns.append(column)
        return list(zip(*columns))


def _name_text(value, default):
    kind = type(value)
    if kind is str:
        return value or default
    if kind is int or kind is float:
        return str(value)
    return default
