"""Events -> the events sent: a JSON line's time and name fields read, its fields masked or
dropped, then every message masked, and cut again to the event size limit (a masked message may
be longer or shorter than the line read).

A read's lines are shaped together, column by column: their records' fields (recordlines.py),
then the masks, applied to them joined (masking.py).

Counts (never values): ``not_json`` (lines of a json section that are not a JSON object, sent
as they are), ``no_time`` (records without a readable time field: they, and lines that are not
JSON, take the previous record's time), and the values masked by each rule (masking.py's names,
``mask_fields``).
"""
import json
from operator import itemgetter

from awscli_cwlogs.lines.grouping import split_utf8, utf8_size
from awscli_cwlogs.lines.masking import Masker, detectors, pattern_rules
from awscli_cwlogs.lines.recordlines import RecordLines
from awscli_cwlogs.lines.records import FieldEdits

_NOT_MASKS = ("not_json", "no_time")
_MESSAGE, _POSITION = itemgetter(1), itemgetter(3)


class Shaper:
    """``record``: a RecordFormat; ``lines``: the section's LineFormat, whose datetime_format and
    time_zone read the time field (None: the kind has none); ``max_message_bytes``: the limit."""

    def __init__(self, record, lines, max_message_bytes, names=()):
        """``names``: the {json:...} placeholders of the section's names; ``records`` then holds,
        after each shape(), the values of each event sent (a tuple, in their order)."""
        self.counts = {}
        self.records = None
        self._json = record.is_json
        edits = (FieldEdits(record.mask_fields, record.drop_fields, record.mask_text, self.counts)
                 if self._json and (record.mask_fields or record.drop_fields) else None)
        self._edits = edits
        self._records = RecordLines(record, lines, names, edits, self.counts) if self._json else None
        text_rules = [edits.text_rule()] if edits is not None and edits.by_text else []
        rules = text_rules + [detectors()[name] for name in record.mask_detectors] + pattern_rules(record.mask_patterns)
        # in a JSON line a masked value is inside a string: the text that replaces it is written as JSON
        replacement = json.dumps(record.mask_text, ensure_ascii=False)[1:-1] if self._json else record.mask_text
        self._masker = Masker(rules, replacement, self.counts) if rules else None
        self._limit = max_message_bytes
        self._last_position = {}  # source key -> the position of its last event shaped
        self.marked = False

    def shape(self, key, events):
        """The events of one source (``key``), in order, as they are sent. When ``marked``, each
        event carries a fifth item: (1 if the line is not JSON else 0, values masked in it), or
        None; so the counts reach the state file with the batch the event is accepted in
        (cloudwatch/batch.py)."""
        messages = list(map(_MESSAGE, events))
        times = not_json = edited = None
        if self._json:
            messages, times, self.records, not_json, edited = self._records.read(messages)
        masked = None
        if self._masker is not None:
            masked_messages, masked = self._masker.mask_lines(messages)
            if masked is not None:
                messages = masked_messages
        if edited:
            masked = masked or [0] * len(messages)
            for index, number in edited.items():
                masked[index] += number
        changed = masked is not None or bool(edited)
        return self._events(key, events, messages if changed else None, times, self._noted(not_json, masked))

    @staticmethod
    def _noted(not_json, masked):
        """Each line's (not JSON, values masked), None for a line with neither; None for none."""
        if not_json is not None and True not in not_json:
            not_json = None
        if not_json is None and masked is None:
            return None
        if masked is None:
            return [(1, 0) if flag else None for flag in not_json]
        if not_json is None:
            return [(0, number) if number else None for number in masked]
        return [(int(flag), number) if flag or number else None for flag, number in zip(not_json, masked)]

    def _events(self, key, events, messages, times, noted):
        """The events sent (``messages``: None when none changed), a message over the limit cut."""
        self.marked = noted is not None
        positions = list(map(_POSITION, events))
        previous = self._last_position.get(key)
        if events:
            if len(self._last_position) > 10_000:  # files and routes come and go
                self._last_position.clear()
            self._last_position[key] = positions[-1]
        if times is None:
            times = list(map(itemgetter(0), events))
        elif None in times:
            times = [event[0] if time is None else time for event, time in zip(events, times)]
        if messages is None:
            messages, sizes = list(map(_MESSAGE, events)), list(map(itemgetter(2), events))
        elif "".join(messages).isascii():
            sizes = list(map(len, messages))
        else:
            sizes = list(map(utf8_size, messages))
        if max(sizes, default=0) > self._limit:
            return self._cut(messages, times, sizes, positions, noted, previous)
        if noted is None:
            return list(zip(times, messages, sizes, positions))
        return list(zip(times, messages, sizes, positions, noted))

    def _cut(self, messages, times, sizes, positions, noted, previous):
        out, records, names = [], [], self.records
        for index, message in enumerate(messages):
            size, position = sizes[index], positions[index]
            if size > self._limit:  # the reader's limit is twice this one: masks may shorten a line
                *parts, message = split_utf8(message, self._limit)
                # a crash before the last part is sent reads the whole line again
                out += [(times[index], part, utf8_size(part), previous) for part in parts]
                size = utf8_size(message)
                if names is not None:
                    records += [names[index]] * len(parts)
            if names is not None:
                records.append(names[index])
            out.append((times[index], message, size, position) if noted is None else
                       (times[index], message, size, position, noted[index]))
            previous = position
        if names is not None:
            self.records = records
        return out

    @property
    def masked(self):
        """Values masked so far, every rule together."""
        return (self._masker.total if self._masker is not None else 0) + (
            self._edits.total if self._edits is not None else 0)


def masked_summary(counts):
    """What a preview's masks replaced, by rule: "email 2, ipv4 1", or "nothing"."""
    masked = [f"{name} {number}" for name, number in counts.items() if name not in _NOT_MASKS and number]
    return ", ".join(masked) or "nothing"
