"""report/check.py: --check renders what each section's kind reports, with the credentials it
signs with and each problem on a line of its own naming the section."""
import time

from awscli_cwlogs.config.settings import AgentConfig, GeneralConfig
from tests.harness.sections import make_stream
from awscli_cwlogs.report import check
from awscli_cwlogs.report.check import check_report

NOW = time.mktime((2026, 12, 3, 12, 0, 0, 0, 0, -1))


def config(*streams):
    return AgentConfig(GeneralConfig(state_file="unused"), streams)


class ReportingKind:
    """A kind that reports fixed lines, to show check.py adds nothing kind-specific."""

    def __init__(self, problems):
        self.problems = problems
        self.asked = []

    def check(self, stream, positions, now):
        self.asked.append((stream.section, positions))
        return [f"[{stream.section}] somewhere -> log group g", "  detail"], list(self.problems)


def test_any_kinds_report_is_framed_the_same_way(monkeypatch):
    kind = ReportingKind(["units: matches nothing"])
    monkeypatch.setattr(check, "kind_of", lambda stream: kind)
    streams = (make_stream(section="a", log_group_name="g", log_stream_name="s", role_arn="arn:aws:iam::1:role/r"),
               make_stream(section="b", log_group_name="g", log_stream_name="s"))
    text, problems = check_report(config(*streams), None, now=lambda: NOW)
    assert problems == ["[a] units: matches nothing", "[b] units: matches nothing"]
    first = text.splitlines()[:5]
    assert first[0] == "[a] somewhere -> log group g"
    assert first[1].startswith("  signs with: role arn:aws:iam::1:role/r, assumed with the agent's own credentials")
    assert first[2:] == ["  detail", "  problem: [a] units: matches nothing", ""]
    assert text.endswith("2 problem(s) found\n")
    assert kind.asked == [("a", {}), ("b", {})]  # no state file: no positions


def test_a_file_section_previews_its_first_events_and_names_what_is_wrong(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("2026-12-03 11:59:00 start\n  continued\n2026-11-01 00:00:00 far too old\nno time here\n")
    stream = make_stream(section="app", log_group_name="g", log_stream_name="s", file=str(log),
                          datetime_format="%Y-%m-%d %H:%M:%S", multi_line_start_pattern="{datetime_format}")
    missing = make_stream(section="gone", log_group_name="g", log_stream_name="s", file=str(tmp_path / "*.nope"))
    text, problems = check_report(config(stream, missing), None, now=lambda: NOW)
    assert f"  live     {log}: {log.stat().st_size} bytes, {log.stat().st_size} not shipped yet; not read yet: read from its start" in text
    assert "event 1, lines 1-2:" in text and "(+1 line(s) joined)" in text
    assert problems[0].startswith("[app] datetime_format: line 3's timestamp 2026-11-01") and "14 days old" in problems[0]
    assert problems[1] == f"[gone] file: '{tmp_path / '*.nope'}' matches no file"
    assert len(problems) == 2


def test_no_problem_says_so(tmp_path):
    log = tmp_path / "app.log"
    log.write_text("fine\n")
    text, problems = check_report(config(make_stream(section="app", log_group_name="g", log_stream_name="s",
                                                      file=str(log))), None, now=lambda: NOW)
    assert problems == [] and text.endswith("\nno problems found\n")
