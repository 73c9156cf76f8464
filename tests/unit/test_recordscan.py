"""Fields read by pattern (lines/recordscan.py) and a read's records (lines/recordlines.py): what
a pattern reads must be what parsing the line gives, and a line a pattern cannot tell about is
parsed; checked against json.loads over lines of every awkward form."""
import json
import random

import pytest

from awscli_cwlogs.lines.recordscan import FieldScan
from awscli_cwlogs.lines.records import RecordFormat
from awscli_cwlogs.lines.shaping import Shaper

AWKWARD = [
    '{"time": "t1", "service": "a"}',
    '{"service":"b","time":"t2"}',  # the other order, compact
    '{"n": {"service": "nested"}, "service": "top", "time": "t3"}',  # a nested value before: parsed
    '{"msg": "say \\"service\\": x", "service": "c", "time": "t4"}',  # an escape before: parsed
    '{"service": "dup", "time": "t5", "service": "last"}',  # a duplicate key: the last one is the record's
    '{"time": 1733500000123, "service": 42}',  # numbers
    '{"time": 1.5e9, "service": -3.25}',
    '  {"time": "t6", "service": "spaced"}  ',
    '{"service": "", "time": ""}',
    '{"time": "t7"}',  # no service
    '{"svc": "x", "service_name": "y", "time": "t8"}',  # names that only begin like it
    '{"message": "the \\"time\\" is now", "time": "t9", "service": "e"}',
    '{"service": "value with \\u00e9", "time": "t10"}',  # an escape in the value: parsed
    '{"time": "t11", "service": "f", "x": [1, {"service": "inner"}]}',
    '{"time": "t12", "service": "g"',  # cut short: not JSON
    'plain text "service": "h"',
    '["service", "time"]',
    '{"a": "b", "time": true, "service": null}',
]


def parsed(line, name):
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record.get(name) if isinstance(record, dict) else None


@pytest.mark.parametrize("seed", range(12))
def test_what_a_pattern_reads_is_what_the_parsed_line_holds(seed):
    lines = random.Random(seed).choices(AWKWARD, k=60)
    if seed % 3 == 0:
        lines = [AWKWARD[1]] * 30 + lines  # most lines in one order: the one pattern for both names
    scan = FieldScan(["time", "service"])
    columns = scan.read(lines, "\n" + "\n".join(lines))
    for name, column in zip(scan.names, columns):
        for line, value in zip(lines, column):
            if value is not None and line.rstrip().endswith("}"):  # else parsed (a line cut short: recordlines.py)
                assert value == parsed(line, name), (name, line)
    readable = [line for line in lines if line in (AWKWARD[0], AWKWARD[1], AWKWARD[5], AWKWARD[6])]
    assert readable and all(value is not None for column in columns
                            for line, value in zip(lines, column) if line in readable)


@pytest.mark.parametrize("seed", range(6))
def test_a_read_of_records_gives_what_parsing_each_line_gives(seed):
    """Times, names and the lines counted as not JSON, as a line-by-line json.loads would have them."""
    rng = random.Random(seed)
    lines = []
    for number in range(200):
        service = rng.choice(["api", "db", "", None, 7])
        record = {"time": f"2026-12-06T10:00:{number % 60:02d}.{number:03d}Z", "msg": f"m{number}"}
        if service is not None:
            record["service"] = service
        line = json.dumps(record, separators=rng.choice([(",", ":"), (", ", ": ")]))
        lines.append(rng.choice([line, line, line, line[:-3], "text " + line, json.dumps({"n": record})]))
    shaper = Shaper(RecordFormat(log_format="json", timestamp_key="time"), None, 10_000, ["json:service|none"])
    out = shaper.shape("k", [(1, line, len(line), n) for n, line in enumerate(lines)])
    last = None
    for line, event, (name,) in zip(lines, out, shaper.records):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        assert (event[4] if len(event) > 4 and event[4] else (0, 0))[0] == (record is None), line
        service = record.get("service") if record else None
        assert name == (str(service) if service not in (None, "") else "none"), line
        if record is not None and "time" in record:
            number = int(record["msg"][1:])
            last = 1_796_551_200_000 + number % 60 * 1000 + number
        assert event[0] == (last if last is not None else 1), line
