"""Charts in the terminal (export/charts.py): a two-series query drawn at a fixed width against the
drawing expected, the histogram of a known distribution, and what a chart needs said in one line."""
import calendar

import pytest

from awscli_cwlogs.cli import UsageError
from awscli_cwlogs.export.charts import draw, histogram, query_series, size_text, time_labels

TWO_SERIES = """\
                    two series (times in UTC)
    ┌──────────────────────────────────────────────────────┐
19.0┤ •• api                •                             •│
16.2┤ ++ db             •••• •                        •••• │
    │               ••••      •                   ••••     │
13.3┤        •••••••           ••          •••••••         │
10.5┤    ••••                    •     ••••                │
    │••••                         •••••                    │
 7.7┤                                                      │
 4.8┤               +              +                      +│
    │        +++++++ ++++++++++++++ ++++          ++++++++ │
 2.0┤++++++++                           ++++++++++         │
    └┬──────────────┬──────────────┬──────────────┬────────┘
  12-07 10:00     10:10          10:20          10:30
"""


def two_series_rows():
    rows = []
    for i in range(8):
        when = f"2026-12-07 10:{i * 5:02d}:00.000"
        rows.append([("bin(5m)", when), ("service", "api"), ("count(*)", str(10 + i % 4 * 3))])
        rows.append([("bin(5m)", when), ("service", "db"), ("count(*)", str(2 + (i * 7) % 5))])
    return rows


def test_a_two_series_query_is_drawn_as_expected_at_a_fixed_width():
    times, series = query_series(two_series_rows())
    assert list(series) == ["api", "db"] and series["db"] == [2, 4, 6, 3, 5, 2, 4, 6]
    drawn = draw(time_labels(times, utc=True), series, 60, 14, "two series (times in UTC)",
                 colour=False)
    assert drawn == TWO_SERIES


def test_more_series_than_a_chart_shows_keep_the_largest_and_add_up_the_rest_as_other():
    rows = [[("bin(1m)", f"2026-12-07 10:0{m}:00.000"), ("host", f"h{h}"), ("n", str(h * 10 + m))]
            for m in range(3) for h in range(7)]
    _, series = query_series(rows)
    assert list(series) == ["h6", "h5", "h4", "h3", "other"]
    assert series["other"] == [0 + 10 + 20, 1 + 11 + 21, 2 + 12 + 22]
    _, columns = query_series([[("bin(1h)", "2026-12-07 10:00:00.000"), ("errors", "1"), ("requests", "9")]])
    assert columns == {"errors": [1.0], "requests": [9.0]}  # no by group: a series per column


@pytest.mark.parametrize("rows, missing", [
    ([[("@timestamp", "2026-12-07 10:00:00.000"), ("@message", "x")]], "needs a time column"),
    ([[("bin(5m)", "2026-12-07 10:00:00.000"), ("service", "api")]], "needs a numeric column"),
])
def test_a_query_that_is_not_a_chart_says_what_is_missing(rows, missing):
    with pytest.raises(UsageError, match=missing):
        query_series(rows)


def test_the_histogram_of_a_known_distribution():
    base = calendar.timegm((2026, 12, 7, 10, 0, 0)) * 1000
    stamps = [base + minute * 60_000 + i for minute in range(60) for i in range(minute % 5 + 1)]
    starts, counts, seconds = histogram(stamps, base, base + 3_600_000, 80)
    assert seconds == 300 and size_text(seconds) == "5m" and counts == [15] * 12  # the hour's twelve, no more
    assert time_labels(starts[:3], utc=True) == ["12-07 10:00", "10:05", "10:10"]
    drawn = draw(time_labels(starts, True), {"events": counts}, 80, 12, "histogram", colour=False)
    assert drawn.count("█") > 100 and "12-07 10:00" in drawn and drawn.splitlines()[2].startswith("15.0┤")
    assert histogram([], None, None, 80) == ([], [], 0)
