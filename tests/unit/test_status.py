"""report/status.py: --status from the state file and the kinds' surveys, as JSON and as text."""
import json

from awscli_cwlogs.config.settings import AgentConfig, GeneralConfig
from tests.harness.sections import make_stream
from awscli_cwlogs.kvstore import Position
from awscli_cwlogs.report import status
from awscli_cwlogs.report.status import render_json, render_text, status_report
from awscli_cwlogs.sources.tail.survey import LIVE, FileState

NOW = 1_796_000_000.0


class Store:
    """A read-only state file with one stream's counters."""

    def __init__(self, positions, counters, day_bytes, waiting=None):
        self._positions, self._counters, self._day_bytes = positions, counters, day_bytes
        self._waiting = waiting or {}

    def waiting(self):
        return self._waiting

    def positions(self, group, stream):
        return self._positions

    def stream_counters(self, group, stream):
        return self._counters

    def billable_since(self, group, stream, seconds):
        return self._day_bytes


class SurveyingKind:
    def __init__(self, files, extra=None, lines=()):
        self.files, self.extra, self.lines = files, extra or {}, list(lines)

    def survey(self, stream, positions):
        return self.files

    def status(self, stream, positions):
        return self.extra

    def status_lines(self, entry):
        return self.lines


def counters(**values):
    base = {"events_sent": 0, "message_bytes": 0, "batches_sent": 0, "too_old": 0, "too_new": 0, "expired": 0,
            "refused": 0, "filtered": 0, "last_accepted": None, "last_error": None, "last_error_at": None}
    return {**base, **values}


def test_bytes_and_events_behind_billable_bytes_and_cost(monkeypatch):
    kind = SurveyingKind([(None, [FileState("/l/app.log", LIVE, 5000, 3000, 2000)])])
    monkeypatch.setattr(status, "kind_of", lambda stream: kind)
    stream = make_stream(section="app", log_group_name="g", log_stream_name="s", file="/l/app.log")
    store = Store({("fp", 1): Position("fp", "/l/app.log", 1, 3000, NOW)},
                  counters(events_sent=30, message_bytes=2970, batches_sent=2, too_old=1, last_accepted=NOW - 5),
                  day_bytes=1 << 30)
    report = status_report(AgentConfig(GeneralConfig(state_file="x"), (stream,)), store)
    entry = report[0]
    assert entry["bytes_behind"] == 2000 and entry["events_behind"] == 20  # 100 bytes an event, newline included
    assert entry["billable_bytes"] == 2970 + 26 * 29  # the one too old is not billed
    assert entry["cost_24h"] == 0.5 and entry["source"] == "file"
    assert json.loads(render_json(report))["streams"][0]["files"][0]["offset"] == 3000
    text = render_text(report, now=lambda: NOW)
    assert "  behind: 2,000 bytes (~20 events)" in text
    assert "  sent: 30 events in 2 batches; last accepted: 2026-11-30T00:53:15.000Z (5 s ago)" in text
    assert "too old 1, too new 0" in text and "  last error: none" in text


def test_a_kinds_own_fields_and_lines_are_shown(monkeypatch):
    stream = make_stream(section="j", log_group_name="g", log_stream_name="s", source="journald")
    kind = SurveyingKind([], {"journal_position": {"cursor": "c"}}, ["    journal: at c"])
    monkeypatch.setattr(status, "kind_of", lambda stream: kind)
    monkeypatch.setitem(status.KINDS, "journald", kind)
    report = status_report(AgentConfig(GeneralConfig(state_file="x"), (stream,)), None)
    assert report[0]["journal_position"] == {"cursor": "c"} and report[0]["events_behind"] is None
    text = render_text(report)
    assert "    journal: at c" in text and "no file matches yet" not in text and "last accepted: never" in text


def test_a_section_with_no_file_yet_says_so(monkeypatch):
    monkeypatch.setattr(status, "kind_of", lambda stream: SurveyingKind([]))
    stream = make_stream(section="app", log_group_name="g", log_stream_name="s", file="/none/*.log")
    assert "    no file matches yet" in render_text(status_report(AgentConfig(GeneralConfig(state_file="x"), (stream,)), None))


def test_files_waiting_for_a_descriptor_are_listed(monkeypatch):
    kind = SurveyingKind([(None, [FileState("/l/a.log", LIVE, 10, 0, 10)])])
    monkeypatch.setattr(status, "kind_of", lambda stream: kind)
    streams = tuple(make_stream(section=name, log_group_name="g", log_stream_name=name, file="/l/*.log")
                    for name in ("app", "other"))
    store = Store({}, counters(), 0, waiting={"app": [("/l/b.log", NOW - 3)]})
    report = status_report(AgentConfig(GeneralConfig(state_file="x"), streams), store)
    assert report[0]["waiting_for_descriptor"] == [{"path": "/l/b.log", "since": "2026-11-30T00:53:17.000Z"}]
    assert report[1]["waiting_for_descriptor"] == []
    text = render_text(report, now=lambda: NOW)
    assert "    waiting  /l/b.log: no descriptor free since 2026-11-30T00:53:17.000Z" in text
    assert text.count("waiting ") == 1


def test_the_agent_lines_say_whether_it_runs_and_whether_its_state_file_is_written():
    from awscli_cwlogs.report.status import render_agent
    disk = {"read_only": False, "free_bytes": 4096}
    running = {"running": True, "pid": 42, "noted": True, "since": "2026-12-06T10:00:00.000Z", "stopped": None,
               "state_file_unwritten": None, "disk": disk}
    assert render_agent(running) == ["agent: running (pid 42, since 2026-12-06T10:00:00.000Z)", "  state file: written",
                                     "  state file's disk: 4,096 bytes free"]
    episode = {"since": "2026-12-06T10:05:00.000Z", "cause": "No space left on device",
               "failures": 12, "unsaved_events": 5000}
    now = lambda: 1796551560.0  # noqa: E731  (2026-12-06T10:06:00Z)
    assert render_agent({**running, "state_file_unwritten": episode}, now)[1] == (
        "  state file: not written since 2026-12-06T10:05:00.000Z (60 s ago): No space left on device; 12 failed "
        "attempt(s); a kill -9 now would send 5,000 event(s) again")
    killed = {**running, "running": False, "state_file_unwritten": episode, "disk": {**disk, "read_only": True}}
    assert render_agent(killed, now) == [
        "agent: not running (the last one, pid 42, ended without a clean stop)",
        "  state file: not written since 2026-12-06T10:05:00.000Z (60 s ago): No space left on device; 12 failed "
        "attempt(s); the next start sends 5,000 event(s) again", "  state file's disk: read-only"]
    unnoted = {**running, "noted": False, "since": None}
    assert render_agent(unnoted)[:2] == ["agent: running (pid 42)",
                                         "  state file: unknown: the agent cannot write its note beside it (see the disk)"]
    assert render_agent({"running": False, "pid": None, "noted": True, "since": None, "stopped": None,
                         "state_file_unwritten": None, "disk": None}) == ["agent: not running"]
