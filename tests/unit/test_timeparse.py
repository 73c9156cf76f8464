import time

import pytest

from awscli_cwlogs.export.timeparse import parse_time

NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z
T_2026_11_20 = 1_795_132_800_000  # 2026-11-20T00:00:00Z


@pytest.mark.parametrize("text, expected", [
    ("2026-11-20T00:00:00Z", T_2026_11_20),
    ("2026-11-20T00:00:00z", T_2026_11_20),
    ("2026-11-20 00:00:00Z", T_2026_11_20),
    ("2026-11-20T05:30:00+05:30", T_2026_11_20),
    ("2026-11-20T05:30:00+0530", T_2026_11_20),
    ("2026-11-19T19:00:00-05", T_2026_11_20),
    ("2026-11-20T00:00:00.123Z", T_2026_11_20 + 123),
    ("2026-11-20T00:00:00,5Z", T_2026_11_20 + 500),
    ("2026-11-20T00:00:00.123456789Z", T_2026_11_20 + 123),
    ("2026-11-20T00:00Z", T_2026_11_20),
    ("2026-11-20", T_2026_11_20),  # naive, read in UTC below
    ("1795132800000", T_2026_11_20),
    ("0", 0),
])
def test_absolute_times(text, expected):
    assert parse_time(text, "UTC") == expected


@pytest.mark.parametrize("text, ago_ms", [
    ("90s", 90_000), ("30m", 1_800_000), ("2h", 7_200_000), ("1d", 86_400_000), ("1w", 604_800_000),
])
def test_relative_times_count_back_from_now(text, ago_ms):
    assert parse_time(text, "UTC", now=lambda: NOW) == int(NOW * 1000) - ago_ms


def test_naive_time_is_local_unless_utc(monkeypatch):
    monkeypatch.setenv("TZ", "XST-5:30")  # POSIX form: 5 h 30 min east of UTC, no tzdata needed
    time.tzset()
    try:
        assert parse_time("2026-11-20T05:30:00", "LOCAL") == T_2026_11_20
        assert parse_time("2026-11-20T05:30:00", "UTC") == T_2026_11_20 + 19_800_000
        assert parse_time("2026-11-20T05:30:00Z", "LOCAL") == T_2026_11_20 + 19_800_000
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("text", [
    "yesterday", "", "2026-13-01T00:00:00Z", "2026-11-31", "2026-11-20T25:00:00Z",
    "2026-11-20T00:00:00+25:00", "10y", "-5m", "2026/11/20", "1.5h",
])
def test_rejects_what_is_not_a_time(text):
    with pytest.raises(ValueError) as error:
        parse_time(text, "UTC")
    assert "\n" not in str(error.value)
