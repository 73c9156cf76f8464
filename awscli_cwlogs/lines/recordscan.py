"""Top-level fields of JSON lines read with a pattern, without parsing the lines: a JSON parse
costs about as much as everything else the agent does with a line.

A field is read when it comes before any nested value of its line (the pattern walks from the
line's opening brace over plain keys and scalar values, so what it finds is a key of the top
level, not a word inside a string) and its value is a string without escapes or a number; its
name written once in the line (a second one may be a duplicate key, whose last value is the
record's). Any other line is parsed (records.parse_object).
"""
import json
import re
from itertools import repeat

_WS = r"[ \t]*"
_STRING = r'"[^"\\\n]*"'
_SCALAR = rf"{_STRING}{_WS}:{_WS}(?:{_STRING}|[-+.\w]+)"  # a plain key and a scalar value
_VALUE = r'(?:"([^"\\\n]*)"|(-?[0-9][0-9.eE+-]*))'


def _field(name):
    return rf"{re.escape(json.dumps(name))}{_WS}:{_WS}{_VALUE}"


class FieldScan:
    """Reads the values of top-level fields (``names``) in a read's lines."""

    def __init__(self, names):
        self.names = tuple(names)
        self._quoted = [json.dumps(name) for name in self.names]
        first = rf"\{{{_WS}(?:{_SCALAR}{_WS},{_WS})*?"
        self._in_text = [re.compile("\n" + first + _field(name)).findall for name in self.names]
        self._in_line = [re.compile(r"\s*" + first + _field(name)).match for name in self.names]
        self._in_order = {}  # the names' indexes in the order a line has them -> the pattern of them all

    def read(self, lines, text):
        """[a column per name: each line's value (a str, or an int or float), None where the
        line must be parsed to tell]; ``text``: the lines joined, after a newline."""
        count = len(lines)
        found = self._all_at_once(lines[0], text) if len(self.names) > 1 else None
        if found is not None and len(found) == count:
            columns = list(zip(*found))
            values = {index: self._values(columns[2 * at], columns[2 * at + 1])
                      for at, index in enumerate(self._order(lines[0]))}
            return [self._once(lines, text, index, values[index]) for index in range(len(self.names))]
        return [self._once(lines, text, index, self._found(lines, text, index)) for index in range(len(self.names))]

    def _order(self, line):
        positions = [line.find(quoted) for quoted in self._quoted]
        return None if -1 in positions else sorted(range(len(positions)), key=positions.__getitem__)

    def _all_at_once(self, line, text):
        """findall of one pattern for every name, in the order ``line`` has them (the lines of
        a log write their keys in one order), else None."""
        order = self._order(line)
        if order is None:
            return None
        key = tuple(order)
        pattern = self._in_order.get(key)
        if pattern is None:
            later = rf"(?:{_WS},{_WS}{_SCALAR})*?{_WS},{_WS}"
            pattern = "\n" + rf"\{{{_WS}(?:{_SCALAR}{_WS},{_WS})*?" + later.join(_field(self.names[i]) for i in order)
            pattern = self._in_order[key] = re.compile(pattern).findall
        return pattern(text)

    def _found(self, lines, text, index):
        """Each line's value of the name of ``index`` (None: not read)."""
        found = self._in_text[index](text)
        if len(found) == len(lines):
            return self._values(*zip(*found)) if found else []
        # some lines have it elsewhere or not at all: line by line
        found = [None if matched is None else matched.groups() for matched in map(self._in_line[index], lines)]
        return [None if pair is None else _value(*pair) for pair in found]

    @staticmethod
    def _values(strings, numbers):
        """The values of a column of strings and numbers (as written: one of each pair is empty)."""
        return list(map(_value, strings, numbers)) if "".join(numbers) else list(strings)

    def _once(self, lines, text, index, values):
        """``values``, but None for a line that names the field twice."""
        quoted = self._quoted[index]
        if text.count(quoted) > len(lines) - values.count(None):  # a name written twice in a line
            for position, mentions in enumerate(map(str.count, lines, repeat(quoted))):
                if mentions > 1:
                    values[position] = None
        return values


def _value(string, number):
    if not number:
        return string
    try:
        return int(number)
    except ValueError:
        try:
            return float(number)
        except ValueError:
            return None
