"""Events -> the events sent: a JSON line's time from its field, its fields masked or dropped,
then every message masked, and cut again to the event size limit (a masked message may be
longer or shorter than the line read).

Counts (never values): ``not_json`` (lines of a json section that are not a JSON object, sent
as they are), ``no_time`` (records without a readable time field: they, and lines that are not
JSON, take the previous record's time), and the values masked by each rule (masking.py's names,
``mask_fields``).
"""
from awscli_cwlogs.lines.grouping import split_utf8, utf8_size
from awscli_cwlogs.lines.masking import Masker, detectors, pattern_rules
from awscli_cwlogs.lines.records import FieldEdits, NameFields, TimeField, field_value, parse_object, serialize

_NOT_MASKS = ("not_json", "no_time")


class Shaper:
    """``record``: a RecordFormat; ``lines``: the section's LineFormat, whose datetime_format and
    time_zone read the time field (None: the kind has none); ``max_message_bytes``: the limit."""

    def __init__(self, record, lines, max_message_bytes, names=()):
        """``names``: the {json:...} placeholders of the section's names; ``records`` then holds,
        after each shape(), the values of each event sent."""
        self.counts = {}
        self._names = NameFields(names, record.mask_fields, record.mask_text) if names else None
        self.records = []
        self._json = record.is_json
        self._time_path = tuple(record.timestamp_key.split(".")) if record.timestamp_key else None
        self._time = TimeField(getattr(lines, "datetime_format", None), getattr(lines, "time_zone", "LOCAL"))
        self._edits = (FieldEdits(record.mask_fields, record.drop_fields, record.mask_text, self.counts)
                       if record.mask_fields or record.drop_fields else None)
        rules = [detectors()[name] for name in record.mask_detectors] + pattern_rules(record.mask_patterns)
        self._masker = Masker(rules, record.mask_text) if rules else None
        if self._masker is not None:
            self._masker.counts = self.counts
        self._limit = max_message_bytes
        self._last_time = None
        self._last_position = {}  # source key -> the position of its last event shaped
        self._masks = self._masker is not None or self._edits is not None
        self._not_json = 0
        self.marked = False

    def shape(self, key, events):
        """The events of one source (``key``), in order, as they are sent. An event that was
        counted (not JSON, values masked) carries its counts as a fifth item, so that they reach
        the state file with the batch it is accepted in (cloudwatch/batch.py); ``marked`` says
        whether any does."""
        out = []
        previous = self._last_position.get(key)
        self.marked = False
        records = self.records = [] if self._names is not None else None
        for event in events:
            timestamp, message, size, position = event[:4]
            before = self._tally()
            changed = False
            if self._json:
                timestamp, message, changed, record = self._record(timestamp, message)
                if records is not None:
                    values = self._names.values(record)
            if self._masker is not None:
                masked = self._masker.mask(message)
                changed = changed or masked is not message
                message = masked
            if changed:
                size = utf8_size(message)
            if size > self._limit:  # the reader's limit is twice this one: masks may shorten a line
                *parts, message = split_utf8(message, self._limit)
                # a crash before the last part is sent reads the whole line again
                out += [(timestamp, part, utf8_size(part), previous) for part in parts]
                size, changed = utf8_size(message), True
                if records is not None:
                    records += [values] * len(parts)
            if records is not None:
                records.append(values)
            noted = self._noted_since(before)
            if noted:
                self.marked = True
                out.append((timestamp, message, size, position, noted))
            elif changed or timestamp is not event[0]:
                out.append((timestamp, message, size, position))
            else:
                out.append(event)
            previous = position
        if events:
            if len(self._last_position) > 10_000:  # files and routes come and go
                self._last_position.clear()
            self._last_position[key] = previous
        return out

    def _record(self, timestamp, message):
        record = parse_object(message)
        if record is None:  # sent as it is; with a time field, at the previous record's time, as a text line
            self._not_json += 1
            self.counts["not_json"] = self._not_json
            if self._time_path is not None and self._last_time is not None:
                timestamp = self._last_time
            return timestamp, message, False, None
        if self._time_path is not None:
            path = self._time_path
            value = record.get(path[0]) if len(path) == 1 else field_value(record, path)
            field_ms = self._time.epoch_ms(value)
            if field_ms is None:
                self.counts["no_time"] = self.counts.get("no_time", 0) + 1
                field_ms = self._last_time
            if field_ms is not None:
                timestamp = self._last_time = field_ms
        if self._edits is not None and self._edits.mentioned(message):
            edited = self._edits.apply_to_text(message)
            if edited is not None:
                return timestamp, edited, edited != message, record
            if self._edits.apply(record):
                return timestamp, serialize(record), True, record
        return timestamp, message, False, record

    @property
    def masked(self):
        """Values masked so far, every rule together."""
        return (self._masker.total if self._masker is not None else 0) + (
            self._edits.total if self._edits is not None else 0)

    def _tally(self):
        return self._not_json, self.masked if self._masks else 0

    def _noted_since(self, before):
        """{"not_json": 1, "masked": n} of the event just shaped, without zeros; None for none."""
        not_json, masked = self._tally()
        if (not_json, masked) == before:
            return None
        noted = {"not_json": not_json - before[0]} if not_json != before[0] else {}
        if masked != before[1]:
            noted["masked"] = masked - before[1]
        return noted



def masked_summary(counts):
    """What a preview's masks replaced, by rule: "email 2, ipv4 1", or "nothing"."""
    masked = [f"{name} {number}" for name, number in counts.items() if name not in _NOT_MASKS and number]
    return ", ".join(masked) or "nothing"
