"""What the reader tests (pull, filter, export) share: events seeded into the endpoint, the lines
they should print, and the shape of a one-line error."""
import time

from awscli_cwlogs.timefmt import iso_millis

DAY_MS = 86_400_000
# midnight UTC a day or two ago: events from here on are inside the service's 14-day window and never
# in its future (a fixed date stops working once it is 14 days old: the service drops such events)
BASE = int(time.time() * 1000) // DAY_MS * DAY_MS - DAY_MS
DAY = time.strftime("%Y-%m-%d", time.gmtime(BASE / 1000))  # BASE's date, for times written out
EVE = time.strftime("%Y-%m-%d", time.gmtime(BASE / 1000 - 86_400))  # the day before
PULL = ("logs", "pull", "--log-group-name", "app", "--log-stream-name", "web-1")


def seed(logs, events, group="app", stream="web-1"):
    logs.create_stream(group, stream)
    logs.put_events(group, stream, events)


def numbered(count, step_ms=1, start=BASE):
    return [(start + i * step_ms, f"line {i:06d} ünïcödé {{braces}} payload") for i in range(count)]


def expected_lines(events, template="{ts} {msg}"):
    return [template.format(ts=iso_millis(ts), msg=msg) for ts, msg in events]


def one_line_error(result):
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr.strip()
