"""Finds and reads a log line's timestamp per a strptime-style ``datetime_format``, fast.

The format becomes one regular expression; the date part of each match is turned into
epoch seconds once and cached, so a line costs a regex search and some arithmetic, not a
``strptime`` call.
"""
import calendar
import functools
import re
import time
from datetime import date
from operator import add, itemgetter

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_DAYS = "mon|tue|wed|thu|fri|sat|sun"
_FULL_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

# directive -> regex; each directive may appear once
_DIRECTIVES = {
    "Y": r"(\d{4})", "y": r"(\d{2})", "m": r"(\d{1,2})", "d": r"(\d{1,2})", "e": r"(\d{1,2})",
    "H": r"(\d{1,2})", "I": r"(\d{1,2})", "M": r"(\d{1,2})", "S": r"(\d{1,2})",
    "f": r"(\d{1,9})", "p": r"(am|pm)", "b": "(" + "|".join(_MONTHS) + ")",
    "B": "(" + "|".join(_FULL_MONTHS) + ")", "a": f"(?:{_DAYS})", "A": f"(?:{_FULL_DAYS})",
    "z": r"(z|[+-]\d{2}(?::?\d{2})?)", "Z": r"(utc|gmt|z)", "j": r"(\d{3})",
}
SUPPORTED = "%Y %y %m %d %e %H %I %M %S %f %p %b %B %a %A %j %z %Z %%"
_FUTURE_SLACK_S = 86_400
_MAX_CACHED = 10_000  # seconds remembered; the caches start over beyond that
_ASCII_DIGIT = re.compile("[0-9]").search


class TimestampFormat:
    """A compiled ``datetime_format``. ``parse(line)`` returns epoch ms or None."""

    def __init__(self, fmt, time_zone="LOCAL", now=time.time, translated=None):
        """``translated``: (regex, directive of each group) made elsewhere (instants.py's ISO 8601,
        whose parts may be missing), instead of translating ``fmt``."""
        self.fmt = fmt
        pattern, self._fields = translated or _translate(fmt)
        compiled = re.compile(pattern, re.IGNORECASE)
        self._search, self._match = compiled.search, compiled.match
        self._field_time = FieldTime(self._fields, time_zone == "UTC", now)
        self._fraction = self._fields.index("f") if "f" in self._fields else None
        self._second_cache = {}  # matched text without the fraction -> epoch ms of that second
        # Lines of one second share their timestamp's text: when the previous line's timestamp
        # began the line and the format ends in digits (%S, %f, ...), a line that starts with
        # the same text up to those digits has the same second, without a regex search.
        self._ends_in_digits = re.search(r"%[SMHdemyYjf]$", fmt) is not None
        self._last = None  # (text up to the fraction, fraction width, epoch ms of that second)
        self._known = KnownSeconds()  # the same for each second seen, for parse_lines

    def parse(self, line):
        last = self._last
        if last is not None and line.startswith(last[0]):
            begin, width = len(last[0]), last[1]
            end = begin + width
            if not line[end:end + 1].isdigit():
                if not width:
                    return last[2]
                fraction = line[begin:end]
                if len(fraction) == width and fraction.isdecimal():  # not cut short by the line's end
                    return last[2] + int(fraction if width == 3 else (fraction + "00")[:3])
        found = self._search(line)
        if found is None:
            return None
        epoch_ms = self._cached_ms(found)
        if epoch_ms is not None and self._ends_in_digits and not found.start():
            self._remember(found, epoch_ms)
        return epoch_ms

    def parse_lines(self, lines):
        """``[parse(line) for line in lines]``, list-wise where the lines begin with the text of
        seconds seen before (a log's lines come in time order, many per second): their
        beginnings are looked up all at once and the fractions taken by slicing."""
        seconds = self._known.seconds_of(lines, learn=self.parse)
        if seconds is not None:
            millis = self._known.millis_of(lines)
            if millis is not None:
                return list(map(add, seconds, millis)) if millis else seconds
        return list(map(self.parse, lines))

    def _remember(self, found, epoch_ms):
        if self._fraction is None:
            self._last = (found.group(), 0, epoch_ms)
        else:
            begin, end = found.span(self._fraction + 1)
            if begin < 0 or end != found.end():  # no fraction, or one that does not end the timestamp
                return
            fraction = found.string[begin:end]
            self._last = (found.string[:begin], end - begin,
                          epoch_ms - int(fraction if len(fraction) == 3 else (fraction + "00")[:3]))
        self._known.add(*self._last)

    def starts(self, line):
        """Whether the line begins with a timestamp in this format."""
        found = self._match(line)
        return found is not None and self._cached_ms(found) is not None

    def _cached_ms(self, found):
        """Epoch ms of a match; the part up to the second is computed once per second.

        The cache key is the matched text without the fraction: slicing the line is cheaper
        than building a tuple of groups, and this runs for every line."""
        index = self._fraction
        begin, end = found.span(index + 1) if index is not None else (-1, -1)
        if begin < 0:  # no fraction in the format, or none in this line (ISO 8601's is optional)
            key = found.group()
        else:
            key = found.string[found.start():begin]
            if end != found.end():
                key += "\0" + found.string[end:found.end()]
        second = self._second_cache.get(key)
        if second is None:
            if len(self._second_cache) > _MAX_CACHED:
                self._second_cache.clear()
            groups = found.groups()
            whole = self._field_time.epoch_ms(
                groups[:index] + ("0",) + groups[index + 1:] if index is not None else groups)
            second = self._second_cache[key] = -1 if whole is None else whole
        if second == -1:
            return None
        if begin < 0:
            return second
        fraction = found.string[begin:end]
        return second + int(fraction if len(fraction) == 3 else (fraction + "00")[:3])


class FieldTime:
    """The time a format's fields give (``fields``: the directive of each group), the part up to
    the hour computed once per hour; a year-less format takes the year that puts the line at most
    a day ahead of now."""

    def __init__(self, fields, utc, now):
        self._fields, self._utc, self._now = fields, utc, now
        self._year_less = not {"Y", "y", "j"} & set(fields)
        self._base_cache = {}

    def epoch_ms(self, groups):
        """Epoch ms of a match's groups; None for a date or time that does not exist."""
        values = dict(zip(self._fields, groups))
        try:
            hour = int(values.get("H") or values.get("I") or 0)
            ampm = values.get("p")
            if ampm:
                hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
            minute, second = int(values.get("M") or 0), int(values.get("S") or 0)
            if hour > 23 or minute > 59 or second > 61:
                return None
            millis = int((values.get("f") or "0")[:3].ljust(3, "0"))
            offset = _offset_seconds(values.get("z") or values.get("Z"))
            seconds = self._seconds(values, hour, offset)
        except ValueError:
            return None
        if seconds is None:
            return None
        return (seconds + minute * 60 + second) * 1000 + millis

    def _seconds(self, values, hour, offset):
        """Epoch seconds at the start of the line's hour (the cached part)."""
        if self._year_less:
            now = self._now()
            year = time.gmtime(now).tm_year if self._utc else time.localtime(now).tm_year
            base = self._hour_start(year, values, hour, offset)
            if base is not None and base > now + _FUTURE_SLACK_S:  # December's line read in January
                base = self._hour_start(year - 1, values, hour, offset)
            return base
        year = int(values["Y"]) if "Y" in values else _two_digit_year(int(values.get("y") or 0))
        return self._hour_start(year, values, hour, offset)

    def _hour_start(self, year, values, hour, offset):
        key = (year, values.get("m"), values.get("b"), values.get("B"), values.get("d") or values.get("e"),
               values.get("j"), hour, offset)
        cached = self._base_cache.get(key)
        if cached is None:
            if len(self._base_cache) > 10_000:
                self._base_cache.clear()
            cached = self._base_cache[key] = self._compute_hour_start(year, values, hour, offset)
        return cached if cached != -1 else None

    def _compute_hour_start(self, year, values, hour, offset):
        try:
            day = date(year, 1, 1).toordinal() + int(values["j"]) - 1 if "j" in values else None
            if day is not None:
                moment = date.fromordinal(day)
                if moment.year != year:
                    return -1
            else:
                moment = date(year, _month(values), int(values.get("d") or values.get("e") or 1))
        except ValueError:
            return -1
        fields = (moment.year, moment.month, moment.day, hour, 0, 0)
        if offset is not None:
            return calendar.timegm(fields) - offset
        if self._utc:
            return calendar.timegm(fields)
        return int(time.mktime(fields + (0, 0, -1)))


class KnownSeconds:
    """The seconds seen at the beginning of lines, by their text up to the fraction (epoch ms of
    each), for timestamps of one length and fraction width, the last seen: a chunk's lines look
    their beginnings up all at once."""

    def __init__(self):
        self._seconds = {}  # text up to the fraction -> epoch ms of that second
        self._shape = None  # (length of that text, fraction width)

    def add(self, head, width, second):
        if self._shape != (len(head), width) or len(self._seconds) > _MAX_CACHED:
            self._seconds.clear()
            self._shape = (len(head), width)
        self._seconds[head] = second

    def seconds_of(self, lines, learn):
        """Each line's second, after ``learn(line)`` of one line of each beginning not known yet
        (parse() adds it, if it is a second); None where a beginning stays unknown, or when new
        ones are many (few lines per second, or no timestamps there)."""
        if self._shape is None:
            return None
        heads = list(map(itemgetter(slice(0, self._shape[0])), lines))
        new = set(heads).difference(self._seconds)
        if new:
            if len(new) > len(lines) // 8:
                return None
            line_of = dict(zip(heads, range(len(heads))))  # a line (the last) of each beginning
            for head in new:
                learn(lines[line_of[head]])
        seconds = list(map(self._seconds.get, heads))  # none found if the known length changed meanwhile
        return None if None in seconds else seconds

    def millis_of(self, lines):
        """The milliseconds of each line's fraction ([] if the format has none), where every line
        has, after its known beginning, as many ASCII digits as the fraction has and then no other
        digit (what parse() checks on its fast path); else None."""
        length, width = self._shape
        after = "".join(map(itemgetter(slice(length + width, length + width + 1)), lines))
        if not after.isascii() or _ASCII_DIGIT(after) is not None:
            return None
        if not width:
            return []
        fractions = list(map(itemgetter(slice(length, length + width)), lines))
        joined = "".join(fractions)
        if len(joined) != width * len(lines) or not (joined.isascii() and joined.isdecimal()):
            return None
        if width > 3:
            fractions = map(itemgetter(slice(0, 3)), fractions)
        return map(millis_table(min(width, 3)).__getitem__, fractions)


@functools.lru_cache(maxsize=3)
def millis_table(width):
    """Fraction digits -> milliseconds, for fractions of ``width`` (1 to 3) digits."""
    return {f"{number:0{width}d}": number * 10 ** (3 - width) for number in range(10 ** width)}


def _month(values):
    if values.get("m"):
        return int(values["m"])
    if values.get("b"):
        return _MONTHS.index(values["b"].lower()) + 1
    if values.get("B"):
        return _FULL_MONTHS.index(values["B"].lower()) + 1
    return 1


def _two_digit_year(year):
    return year + (1900 if year >= 69 else 2000)  # POSIX: 69-99 -> 19xx, 00-68 -> 20xx


def _offset_seconds(text):
    if text is None:
        return None
    if text.lower() in ("z", "utc", "gmt"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return sign * (hours * 3600 + minutes * 60)


def _translate(fmt):
    """(regex, directive names in group order); ValueError naming what is not supported."""
    parts, fields, index = [], [], 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%":
            if index + 1 >= len(fmt):
                raise ValueError(f"'{fmt}' ends with a lone %")
            directive = fmt[index + 1]
            index += 2
            if directive == "%":
                parts.append("%")
                continue
            if directive not in _DIRECTIVES:
                raise ValueError(f"%{directive} in '{fmt}' is not supported; use {SUPPORTED}")
            if directive in fields:
                raise ValueError(f"%{directive} appears twice in '{fmt}'")
            if _DIRECTIVES[directive].startswith("(?:"):
                parts.append(_DIRECTIVES[directive])
                continue
            fields.append(directive)
            parts.append(_DIRECTIVES[directive])
        elif char.isspace():
            while index < len(fmt) and fmt[index].isspace():
                index += 1
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
            index += 1
    if not fields:
        raise ValueError(f"'{fmt}' has no date or time directive")
    if ("H" in fields or "I" in fields) is False and "M" in fields:
        raise ValueError(f"'{fmt}' has minutes but no hour")
    if "f" in fields and "S" not in fields:
        raise ValueError(f"'{fmt}' has %f without %S")
    return "".join(parts), fields
