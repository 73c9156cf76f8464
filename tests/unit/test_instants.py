"""ISO 8601 and epoch instants (lines/instants.py): every form the structured-logs keys take."""
import calendar
import time

import pytest

from awscli_cwlogs.lines.instants import EpochFormat, IsoValues, epoch_ms, epoch_text_ms, iso8601, timestamp_format
from awscli_cwlogs.lines.records import TimeField
from awscli_cwlogs.lines.timestamps import TimestampFormat

BASE_S = calendar.timegm((2026, 12, 6, 10, 0, 0))  # 2026-12-06T10:00:00Z


@pytest.mark.parametrize("text, expected", [
    ("2026-12-06T10:00:00Z", BASE_S * 1000),
    ("2026-12-06T10:00:00.123Z", BASE_S * 1000 + 123),
    ("2026-12-06T10:00:00.123456789Z", BASE_S * 1000 + 123),  # nanoseconds: cut to milliseconds
    ("2026-12-06T10:00:00.5Z", BASE_S * 1000 + 500),
    ("2026-12-06T10:00:00,25Z", BASE_S * 1000 + 250),
    ("2026-12-06T15:30:00+05:30", BASE_S * 1000),
    ("2026-12-06T15:30:00.001+0530", BASE_S * 1000 + 1),
    ("2026-12-06T02:00:00-08:00", BASE_S * 1000),
    ("2026-12-06T10:00Z", BASE_S * 1000),  # no seconds
    ("2026-12-06 10:00:00 +00:00", BASE_S * 1000),  # a space before the offset, and for the T
    ("2026-12-06T10:00:00", BASE_S * 1000),  # no offset: the section's time_zone (UTC here)
    ("at 2026-12-06T10:00:00.123Z the job ran", BASE_S * 1000 + 123),  # searched, as a format's is
])
def test_iso8601_forms(text, expected):
    assert iso8601("UTC").parse(text) == expected


def test_iso8601_without_offset_is_local_time_by_default():
    local = int(time.mktime((2026, 12, 6, 10, 0, 0, 0, 0, -1))) * 1000
    assert iso8601().parse("2026-12-06T10:00:00") == local


@pytest.mark.parametrize("text", ["2026-02-30T10:00:00Z", "2026-12-06T25:00:00Z", "2026-12-06", "10:00:00",
                                  "2026-13-01T00:00:00Z", "no time here"])
def test_iso8601_refuses_what_is_not_an_instant(text):
    assert iso8601("UTC").parse(text) is None


def test_iso8601_lines_of_one_second_with_and_without_fractions():
    reader = iso8601("UTC")
    lines = ["2026-12-06T10:00:00.100Z a", "2026-12-06T10:00:00Z b", "2026-12-06T10:00:00.900Z c"]
    assert reader.parse_lines(lines) == [BASE_S * 1000 + 100, BASE_S * 1000, BASE_S * 1000 + 900]


@pytest.mark.parametrize("number, expected", [
    (1_733_500_000, 1_733_500_000_000),  # seconds
    (1_733_500_000.123, 1_733_500_000_123),  # a float's last bit does not cost a millisecond
    (1_733_500_000_123, 1_733_500_000_123),  # milliseconds
    (1_733_500_000_123.9, 1_733_500_000_123),
    (1_733_500_000_123_456, 1_733_500_000_123),  # microseconds
    (1_733_500_000_123_456_789, 1_733_500_000_123),  # nanoseconds
    (0, 0),
    (-1, None), (True, None), (10 ** 23, None),  # as nanoseconds: past the year 9999
])
def test_epoch_unit_told_by_size(number, expected):
    assert epoch_ms(number) == expected


@pytest.mark.parametrize("factor, number, expected", [
    (1000, 1_733_500_000_123, None),  # stated seconds: that many seconds is past the year 9999
    (1, 1_733_500_000, 1_733_500_000),  # stated milliseconds: early 1970, as stated
    (1e-3, 1_733_500_000_123_456, 1_733_500_000_123),
    (1e-6, 1_733_500_000_123_456_789, 1_733_500_000_123),
])
def test_epoch_unit_stated(factor, number, expected):
    assert epoch_ms(number, factor) == expected


@pytest.mark.parametrize("text, expected", [
    ("1733500000", 1_733_500_000_000), ("1733500000.123", 1_733_500_000_123), ("1733500000.1", 1_733_500_000_100),
    ("1733500000123", 1_733_500_000_123), ("1733500000123456789", 1_733_500_000_123),
    ("1733500000x", None), ("", None), ("1.2.3", None),
])
def test_epoch_text(text, expected):
    assert epoch_text_ms(text) == expected


@pytest.mark.parametrize("name, line, expected", [
    ("epoch", "1733500000 GET /", 1_733_500_000_000),
    ("epoch", "1733500000.250 GET /", 1_733_500_000_250),
    ("epoch", "1733500000123456 GET /", 1_733_500_000_123),
    ("epoch_ms", "1733500000123 GET /", 1_733_500_000_123),
    ("epoch_s", "1733500000.5 GET /", 1_733_500_000_500),
    ("epoch", "GET / 1733500000", None),  # only at the line's start
    ("epoch", "1.2.3 GET", None),
])
def test_epoch_at_the_start_of_a_text_line(name, line, expected):
    reader = EpochFormat(name)
    assert reader.parse(line) == expected
    assert reader.starts(line) is (expected is not None)


def test_named_formats_and_strptime_formats_come_from_one_place():
    assert isinstance(timestamp_format("%Y-%m-%d %H:%M:%S"), TimestampFormat)
    assert isinstance(timestamp_format("epoch_ns"), EpochFormat)
    assert timestamp_format("iso8601", "UTC").parse("2026-12-06T10:00:00Z") == BASE_S * 1000
    with pytest.raises(ValueError):
        timestamp_format("%Q")


@pytest.mark.parametrize("fmt, pattern, line, expected", [
    ("epoch", r"ts=(\d+)", "GET / ts=1733500000123 200", 1_733_500_000_123),
    ("epoch_s", r"\bat (\S+)", "job 7 at 1733500000.5 done", 1_733_500_000_500),
    ("iso8601", r"\[([^\]]+)\]", "job [2026-12-06T10:00:00Z] 2025-01-01T00:00:00Z", BASE_S * 1000),
    ("%d/%m/%Y %H:%M", r"on (\S+ \S+)", "12/01/2026 00:00 on 06/12/2026 10:00", BASE_S * 1000),
    ("epoch", r"ts=(\d+)", "GET / no time", None),
])
def test_timestamp_pattern_says_where_in_the_line(fmt, pattern, line, expected):
    assert timestamp_format(fmt, "UTC", pattern=pattern).parse(line) == expected


def test_iso_values_of_one_form_are_read_by_slicing_as_each_alone_would_be():
    one = TimeField(None, "UTC")
    for texts in (["2026-12-06T10:00:59.998Z", "2026-12-06T10:01:00.001Z", "2026-12-06T10:01:00.123Z"],
                  ["2026-12-06T15:30:00.250+05:30", "2026-12-06T15:30:01.000+05:30"],
                  ["2026-12-06 10:00:00.123456789", "2026-12-06 10:00:01.000000001"],
                  ["2026-12-06T10:00:00Z", "2026-12-06T10:00:01Z"]):
        assert IsoValues("UTC").epoch_ms(texts) == [one.epoch_ms(text) for text in texts], texts
    values = IsoValues("UTC")
    assert values.epoch_ms(["2026-12-06T10:00:00.1Z", "2026-12-06T10:00:00.12Z"]) is None  # two forms
    assert values.epoch_ms(["2026-12-06T10:00:00Z", "2026-12-06T10:00:00+01:00"]) is None
    assert values.epoch_ms(["2026-12-06T10:00:00.000Z", "2026-12-06T10:00:xx.000Z"]) is None  # not a time
    assert values.epoch_ms(["2026-13-06T10:00:00Z"]) is None  # no 13th month
    assert values.epoch_ms(["2026-12-06T10:00.5Z"]) is None  # no seconds: read one by one
