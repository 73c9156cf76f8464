"""What the reader tests (pull, filter, export) share: events seeded into the endpoint, the lines
they should print, and the shape of a one-line error."""
from awscli_cwlogs.timefmt import iso_millis

BASE = 1_795_132_800_000  # 2026-11-20T00:00:00Z
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
