"""Instants written as ISO 8601 text or as epoch numbers -> epoch milliseconds.

``datetime_format`` takes, besides a strptime-style format (timestamps.py): ``iso8601`` (date and
time with T or a space, seconds and a fraction of up to nine digits optional, Z or an offset or
none: then ``time_zone`` says), ``epoch`` (a number whose unit its size tells) and ``epoch_s``,
``epoch_ms``, ``epoch_us``, ``epoch_ns`` (the unit stated). In a text line, an ISO 8601 instant is
searched for as a format's is; an epoch number is taken at the line's start, or, for any format,
where ``timestamp_pattern`` says.
"""
import re
import time
from operator import add, itemgetter

from awscli_cwlogs.lines.timestamps import TimestampFormat, millis_table

ISO8601 = "iso8601"
# the factor from the unit to milliseconds; None: told by the number's size
EPOCH_UNITS = {"epoch": None, "epoch_s": 1000, "epoch_ms": 1, "epoch_us": 1e-3, "epoch_ns": 1e-6}
NAMED_FORMATS = (ISO8601, *EPOCH_UNITS)

_ISO_REGEX = (r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?"
              r"\s?(z|[+-]\d{2}(?::?\d{2})?)?")
_ISO_FIELDS = ["Y", "m", "d", "H", "M", "S", "f", "z"]
_EPOCH_AT_START = re.compile(r"(\d{1,19})(?:\.(\d{1,9}))?(?![\d.])").match
# Sizes that tell the unit: now is about 1.8e9 s, 1.8e12 ms, 1.8e15 µs, 1.8e18 ns; seconds up to
# 1e11 reach the year 5138, milliseconds from 1e11 start in 1973.
_SECONDS_BELOW, _MILLIS_BELOW, _MICROS_BELOW = 1e11, 1e14, 1e17
_YEAR_10000_MS = 253_402_300_800_000


def iso8601(time_zone="LOCAL", now=time.time):
    """A TimestampFormat that reads ISO 8601 instants."""
    return TimestampFormat(ISO8601, time_zone, now, translated=(_ISO_REGEX, _ISO_FIELDS))


_ISO_VALUE = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?(\s?(?:[Zz]|[+-]\d\d(?::?\d\d)?))?\Z")
_FIRST_3 = itemgetter(slice(0, 3))


class IsoValues:
    """Epoch ms of texts that are each an ISO 8601 instant of one form (a field's values), by
    slicing: each second's epoch read once (by its text and offset), the fractions looked up."""

    def __init__(self, time_zone="LOCAL", now=time.time):
        self._reader = iso8601(time_zone, now)
        self._seconds_in = {}  # offset as written -> {text up to the second: epoch ms of that second}

    def epoch_ms(self, texts):
        """Each text's epoch ms, where every text has the first one's form (the same length, a
        fraction of the same width, the same offset); else None."""
        first = _ISO_VALUE.match(texts[0])
        if first is None or len(set(map(len, texts))) != 1:
            return None
        head, fraction, zone = first.groups()
        width, cut = len(fraction or ""), len(head)
        if fraction:
            marks = "".join(map(itemgetter(slice(cut, cut + 1)), texts))
            fractions = list(map(itemgetter(slice(cut + 1, cut + 1 + width)), texts))
            digits = "".join(fractions)
            if marks.count(marks[0]) != len(marks) or not (digits.isascii() and digits.isdecimal()):
                return None
        zones = set(map(itemgetter(slice(cut + 1 + width if fraction else cut, None)), texts))
        if len(zones) != 1:
            return None
        seconds = self._seconds(texts, cut, zones.pop())
        if seconds is None or not fraction:
            return seconds
        return list(map(add, seconds, map(millis_table(min(width, 3)).__getitem__,
                                          fractions if width <= 3 else map(_FIRST_3, fractions))))

    def _seconds(self, texts, cut, zone):
        """Each text's second (its first ``cut`` characters, at ``zone``); a second not seen
        before is read from its text in full, else None."""
        known = self._seconds_in.setdefault(zone, {})
        heads = list(map(itemgetter(slice(0, cut)), texts))
        seconds = list(map(known.get, heads))
        if None in seconds:
            if len(known) > 10_000:
                known.clear()
            for index in [index for index, second in enumerate(seconds) if second is None]:
                second = known.get(heads[index])
                if second is None:
                    second = self._reader.parse(heads[index] + zone) if _ISO_VALUE.match(texts[index]) else None
                    if second is None:
                        return None
                    known[heads[index]] = second
                seconds[index] = second
        return seconds


def epoch_ms(number, factor=None):
    """Epoch ms of an epoch ``number`` (int or float); ``factor``: EPOCH_UNITS' value, None to
    tell the unit by the number's size. None for a negative number or one past the year 9999."""
    if isinstance(number, bool):  # JSON's true is not a time
        return None
    factor = _factor_of(number) if factor is None else factor
    if type(number) is int:  # noqa: E721
        millis = number * 1000 if factor == 1000 else number // round(1 / factor)
    else:  # 1733500000.123 * 1000 is 1733500000122.9999: a float's last bit must not cost a millisecond
        millis = int(number * factor + (1e-3 if factor == 1000 else 0))
    return millis if 0 <= millis < _YEAR_10000_MS else None


def _factor_of(number):
    size = abs(number)
    return 1000 if size < _SECONDS_BELOW else 1 if size < _MILLIS_BELOW else 1e-3 if size < _MICROS_BELOW else 1e-6


def epoch_text_ms(text, factor=None):
    """Epoch ms of an epoch number written as text ("1733500000", "1733500000.123"), else None."""
    found = _EPOCH_AT_START(text)
    if found is None or found.end() != len(text):
        return None
    return _epoch_of_match(found, factor)


def _epoch_of_match(found, factor):
    """Integer arithmetic only: the digits are exact, a float of them may not be."""
    whole, fraction = found.groups()
    number = int(whole)
    factor = _factor_of(number) if factor is None else factor
    millis = epoch_ms(number, factor)
    if millis is not None and fraction and factor == 1000:
        millis += int((fraction + "00")[:3])  # seconds' fraction: milliseconds
    return millis


class EpochFormat:
    """An epoch number at the start of a line: ``parse(line)`` -> epoch ms or None, as
    TimestampFormat's."""

    def __init__(self, name):
        self.fmt = name
        self._factor = EPOCH_UNITS[name]

    def parse(self, line):
        found = _EPOCH_AT_START(line)
        return None if found is None else _epoch_of_match(found, self._factor)

    def parse_lines(self, lines):
        return list(map(self.parse, lines))

    def starts(self, line):
        return self.parse(line) is not None


class Located:
    """A format read where ``pattern`` says in a line: its first group (else its match) holds
    the instant, and ``reader`` (an EpochFormat or TimestampFormat) reads that text."""

    def __init__(self, reader, pattern):
        self.fmt, self._reader = reader.fmt, reader
        self._search = re.compile(pattern).search

    def parse(self, line):
        found = self._search(line)
        if found is None:
            return None
        return self._reader.parse(found.group(1) if found.re.groups else found.group())

    def parse_lines(self, lines):
        return list(map(self.parse, lines))

    def starts(self, line):
        found = self._search(line)
        return found is not None and found.start() == 0 and self.parse(line) is not None


def timestamp_format(datetime_format, time_zone="LOCAL", now=time.time, pattern=None):
    """What reads ``datetime_format``'s instants: parse(text), parse_lines(texts), starts(text);
    ``pattern`` (timestamp_pattern): where in a line. ValueError naming what is wrong with a
    strptime-style format."""
    if datetime_format == ISO8601:
        reader = iso8601(time_zone, now)
    elif datetime_format in EPOCH_UNITS:
        reader = EpochFormat(datetime_format)
    else:
        reader = TimestampFormat(datetime_format, time_zone, now)
    return Located(reader, pattern) if pattern else reader
