"""The timestamp table: formats operators use, read as strptime would."""
import calendar
import random
import re
import time
from datetime import datetime, timezone

import pytest

from awscli_cwlogs.lines.timestamps import TimestampFormat

NOW = calendar.timegm((2026, 11, 22, 12, 0, 0))  # 2026-11-22T12:00:00Z


def utc_ms(*fields, ms=0):
    return calendar.timegm(fields) * 1000 + ms


@pytest.mark.parametrize("fmt, line, expected", [
    ("%b %d %H:%M:%S", "Nov 22 10:15:30 host sshd[1]: accepted", utc_ms(2026, 11, 22, 10, 15, 30)),
    ("%b %d %H:%M:%S", "Nov  2 10:15:30 host cron: ok", utc_ms(2026, 11, 2, 10, 15, 30)),  # syslog pads with a space
    ("%b %d %H:%M:%S", "Dec 31 23:59:59 host: last year", utc_ms(2025, 12, 31, 23, 59, 59)),  # future -> previous year
    ("%Y-%m-%dT%H:%M:%S%z", "2026-11-22T10:15:30+05:30 x", utc_ms(2026, 11, 22, 4, 45, 30)),
    ("%Y-%m-%dT%H:%M:%S%z", "2026-11-22T10:15:30+0530 x", utc_ms(2026, 11, 22, 4, 45, 30)),
    ("%Y-%m-%dT%H:%M:%S%z", "2026-11-22T10:15:30-08:00 x", utc_ms(2026, 11, 22, 18, 15, 30)),
    ("%Y-%m-%dT%H:%M:%S%z", "2026-11-22T10:15:30Z x", utc_ms(2026, 11, 22, 10, 15, 30)),
    ("%Y-%m-%d %H:%M:%S.%f", "2026-11-22 10:15:30.123456 x", utc_ms(2026, 11, 22, 10, 15, 30, ms=123)),
    ("%Y-%m-%d %H:%M:%S,%f", "[2026-11-22 10:15:30,5] x", utc_ms(2026, 11, 22, 10, 15, 30, ms=500)),
    ("%Y-%m-%d %H:%M:%S.%f", "2026-11-22 10:15:30.123456789 nanoseconds", utc_ms(2026, 11, 22, 10, 15, 30, ms=123)),
    ("%d/%b/%Y:%H:%M:%S %z", '1.2.3.4 - - [22/Nov/2026:10:15:30 +0000] "GET /"', utc_ms(2026, 11, 22, 10, 15, 30)),
    ("%m/%d/%y %I:%M:%S %p", "11/22/26 10:15:30 PM x", utc_ms(2026, 11, 22, 22, 15, 30)),
    ("%m/%d/%y %I:%M:%S %p", "11/22/26 12:05:00 AM x", utc_ms(2026, 11, 22, 0, 5, 0)),
    ("%a %b %d %H:%M:%S %Y", "Sun Nov 22 10:15:30 2026", utc_ms(2026, 11, 22, 10, 15, 30)),
    ("%Y%m%d %H%M%S", "20261122 101530 compact", utc_ms(2026, 11, 22, 10, 15, 30)),
    ("%Y-%m-%d %H:%M:%S", "no timestamp here", None),
    ("%Y-%m-%d %H:%M:%S", "2026-02-30 10:15:30 impossible date", None),
    ("%Y-%m-%d %H:%M:%S", "2026-11-22 25:15:30 impossible hour", None),
])
def test_utc_table(fmt, line, expected):
    assert TimestampFormat(fmt, "UTC", now=lambda: NOW).parse(line) == expected


def test_local_versus_utc(monkeypatch):
    monkeypatch.setenv("TZ", "XST-5:30")  # 5 h 30 min east of UTC
    time.tzset()
    try:
        line = "2026-11-22 10:15:30 x"
        local = TimestampFormat("%Y-%m-%d %H:%M:%S", "LOCAL", now=lambda: NOW).parse(line)
        utc = TimestampFormat("%Y-%m-%d %H:%M:%S", "UTC", now=lambda: NOW).parse(line)
        assert utc - local == 19_800_000
        assert utc == utc_ms(2026, 11, 22, 10, 15, 30)
        with_offset = TimestampFormat("%Y-%m-%d %H:%M:%S%z", "LOCAL").parse("2026-11-22 10:15:30+00:00")
        assert with_offset == utc  # an explicit offset wins over time_zone
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_agrees_with_strptime_on_many_lines():
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    parser = TimestampFormat(fmt, "UTC")
    for second in range(0, 86_400 * 3, 997):
        moment = datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp() + second
        text = datetime.fromtimestamp(moment, timezone.utc).strftime(fmt)[:-3]
        expected = int(datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp() * 1000)
        assert parser.parse(text + " msg") == expected


def test_starts_only_at_the_beginning():
    parser = TimestampFormat("%Y-%m-%d %H:%M:%S", "UTC")
    assert parser.starts("2026-11-22 10:15:30 starts")
    assert not parser.starts("  at 2026-11-22 10:15:30")
    assert not parser.starts("2026-13-22 10:15:30 bad month")


@pytest.mark.parametrize("fmt, reason", [
    ("%Y-%m-%d %Q", "%Q"), ("%c", "%c"), ("%Y %Y", "twice"), ("plain", "no date or time"), ("%Y-%m-%d %", "lone %"),
])
def test_unsupported_formats_say_why(fmt, reason):
    with pytest.raises(ValueError) as error:
        TimestampFormat(fmt)
    assert reason in str(error.value)


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%b %d %H:%M:%S", "%H:%M:%S,%f",
                                 "%Y-%m-%dT%H:%M:%S.%f%z", "[%d/%b/%Y:%H:%M:%S]"])
def test_lines_of_one_second_read_as_a_fresh_parse_reads_each(fmt):
    lines = ["2026-11-30 10:00:00.123 a", "2026-11-30 10:00:00.124 b", "2026-11-30 10:00:00.5 c",
             "2026-11-30 10:00:00.123456 d", "2026-11-30 10:00:00.1234567891 e", "2026-11-30 10:00:00.",
             "2026-11-30 10:00:00.12", "2026-11-30 10:00:005 f", "2026-11-30 10:00:01.000 g", "x 2026-11-30 10:00:01.001",
             "2026-11-30 10:00:0 h", "2026-11-30 10:00:00 i", "2026-11-30 10:00:00+0100 j",
             "Nov 30 10:00:00 k", "Nov 30 10:00:00.250 l", "Nov 30 10:00:001 m", "nov 30 10:00:00 n",
             "10:00:00,123 o", "10:00:00,124 p", "10:00:00,12x q", "[30/Nov/2026:10:00:00] r", "[30/Nov/2026:10:00:00] s"]
    now = lambda: 1_796_000_000.0  # noqa: E731 (2026-12: the year-less format's year is 2026)
    shared = TimestampFormat(fmt, "UTC", now)
    for line in lines + lines[::-1]:
        assert shared.parse(line) == TimestampFormat(fmt, "UTC", now).parse(line), (fmt, line)


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%b %d %H:%M:%S", "%H:%M:%S,%f",
                                 "%Y-%m-%dT%H:%M:%S.%f%z", "[%d/%b/%Y:%H:%M:%S]"])
def test_lines_read_list_wise_as_each_alone(fmt):
    """parse_lines(chunk) == a fresh parse of each line, over chunks of a log in time order (the
    list-wise way), with lines mixed in that begin as a known second but where the time goes on
    otherwise (where it must not guess); and it is list-wise."""
    now = lambda: 1_796_000_000.0  # noqa: E731
    def line(second, fraction, rest=" x"):
        return time.strftime(fmt.replace("%f", fraction), time.gmtime(1_795_000_000 + second)) + rest
    widths = [(1, 6, 3)[second % 3] for second in range(10)] + [1] * 10 + [6] * 10 + [3] * 10  # the fraction's digits
    log = [line(second, f"{ms:03d}000"[:width], f" line {second}-{ms}")
           for second, width in enumerate(widths) for ms in range(0, 1000, 20)]
    odd = {second: [line(second, fraction, rest) for fraction, rest in [
        ("12x", " x"), ("", " no fraction"), ("1234567891", " ten digits"), ("\u0663\u0663\u0663", " arabic-indic digits"),
        ("\u00b2\u00b2\u00b2", " superscripts"), ("1\u00b2", " a superscript after"), ("123", "4 a digit after"),
        ("123", "\u00b2 a superscript after"), ("12", ""), ("1", "")]] for second in (5, 15, 25, 35)}
    rng = random.Random(fmt)
    strangers = list(log)
    lookalike = re.sub("[0-9]", "x", time.strftime(fmt.replace("%f", "~FRACTION~"), time.gmtime(1_795_000_000)))
    for text in ["no time here", "", "  indented", lookalike.replace("~FRACTION~", "123") + " digits where a time would be"] * 5:
        strangers.insert(rng.randrange(len(strangers)), text)
    for lines in (log, strangers):
        shared = TimestampFormat(fmt, "UTC", now)
        got = []
        for start in range(0, len(lines), 150):
            got += shared.parse_lines(lines[start:start + 150])
        assert got == [TimestampFormat(fmt, "UTC", now).parse(text) for text in lines], fmt
    for second, texts in odd.items():  # each among lines of its own second, which is known by then
        for text in texts + [lookalike.replace("~FRACTION~", "1234567"[:widths[second]]) + " x"]:
            shared = TimestampFormat(fmt, "UTC", now)
            shared.parse_lines(log[50 * second:50 * second + 20])
            lines = log[50 * second + 20:50 * second + 30] + [text] + log[50 * second + 30:50 * second + 40]
            assert shared.parse_lines(lines) == [TimestampFormat(fmt, "UTC", now).parse(each) for each in lines], text
    for seconds in (range(10, 20), range(20, 30), range(30, 40)):  # fractions of 1, 6, 3 digits
        shared = TimestampFormat(fmt, "UTC", now)
        lines = [text for text in log if int(text.rsplit(" line ", 1)[1].split("-")[0]) in seconds]
        shared.parse_lines(lines[:150])
        one_by_one = []
        shared.parse = lambda text, parse=shared.parse: one_by_one.append(text) or parse(text)
        assert shared.parse_lines(lines[100:250]) == [TimestampFormat(fmt, "UTC", now).parse(text) for text in lines[100:250]]
        if fmt.endswith(("%S", "%f")):  # else the text after the time must be checked: one by one
            assert len(one_by_one) == 2, "lines of seconds already seen go list-wise; one line of each new second alone"
