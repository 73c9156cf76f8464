"""Container log records (Docker json-file, CRI) as events: times, partial records, streams,
malformed records (no I/O)."""
import json

from tests.harness.sections import spec_of
from tests.harness.sections import make_stream
from awscli_cwlogs.sources.containers.records import RecordReader, cri_record, docker_record, rfc3339_ms

SPEC = spec_of(make_stream(section="c", log_group_name="g", log_stream_name="s", file="/x"))
T0 = 1796035200000  # 2026-11-30T10:40:00Z in ms


def docker(text, stream="stdout", time="2026-11-30T10:40:00.123456789Z"):
    return json.dumps({"log": text, "stream": stream, "time": time}).encode() + b"\n"


def test_rfc3339_times_with_nanoseconds_and_zones():
    assert rfc3339_ms("2026-11-30T10:40:00Z") == T0
    assert rfc3339_ms("2026-11-30T10:40:00.123456789Z") == T0 + 123
    assert rfc3339_ms("2026-11-30T12:40:00.5+02:00") == T0 + 500
    assert rfc3339_ms("2026-11-30T08:40:00.000000001-02:00") == T0
    assert rfc3339_ms("not a time") is None and rfc3339_ms("2026-13-30T10:40:00Z") is None


def test_docker_and_cri_records():
    assert docker_record(docker("hello\n")) == ("hello", "stdout", T0 + 123, False)
    assert docker_record(docker("crlf\r\n", "stderr")) == ("crlf", "stderr", T0 + 123, False)
    assert docker_record(docker("part")) == ("part", "stdout", T0 + 123, True)
    assert docker_record(b'{"log": "x\\n", "stream": "stdout"') is None  # truncated
    assert cri_record(b"2026-11-30T10:40:00.123456789Z stderr F hello world") == ("hello world", "stderr", T0 + 123, False)
    assert cri_record(b"2026-11-30T10:40:00Z stdout P part") == ("part", "stdout", T0, True)
    assert cri_record(b"2026-11-30T10:40:00Z stdout F") == ("", "stdout", T0, False)
    assert cri_record(b"garbage") is None


def test_a_line_split_into_three_records_is_one_event_at_the_end_of_the_last():
    reader = RecordReader(SPEC, 0, "docker")
    data = docker("a" * 16384) + docker("b" * 16384) + docker("c" * 100 + "\n") + docker("next\n")
    events = reader.feed(data) + reader.finish()
    assert [(e[0], len(e[1]), e[3]) for e in events] == [(T0 + 123, 32868, len(data) - len(docker("next\n"))),
                                                         (T0 + 123, 4, len(data))]
    assert events[0][1] == "a" * 16384 + "b" * 16384 + "c" * 100


def test_cri_partial_lines_join_and_records_split_anywhere_across_reads():
    lines = (b"2026-11-30T10:40:00Z stdout P one \n2026-11-30T10:40:01Z stdout F two\n"
             b"2026-11-30T10:40:02Z stderr F three\n")
    reader = RecordReader(SPEC, 0, "cri")
    events = []
    for i in range(len(lines)):
        events += reader.feed(lines[i:i + 1])
    events += reader.finish()
    assert [(e[0], e[1], e[3]) for e in events] == [(T0, "one two", 69), (T0 + 2000, "three", len(lines))]


def test_stream_selection_and_the_position_never_passes_an_unfinished_line_of_the_other_stream():
    reader = RecordReader(SPEC, 0, "docker", streams=("stdout", "stderr"))
    part = docker("long ")
    data = part + docker("err\n", "stderr") + docker("end\n")
    events = reader.feed(data) + reader.finish()
    assert [(e[1], e[3]) for e in events] == [("err", 0), ("long end", len(data))]  # 0: where "long " began
    only_err = RecordReader(SPEC, 0, "docker", streams=("stderr",))
    assert [e[1] for e in only_err.feed(data) + only_err.finish()] == ["err"]


def test_a_malformed_record_is_sent_as_it_is_with_the_previous_time_and_counted(caplog):
    reader = RecordReader(SPEC, 0, "docker", now=lambda: 0)
    data = docker("ok\n") + b'{"log": "trunc\n' + docker("after\n", time="2026-11-30T10:40:05Z")
    events = reader.feed(data) + reader.finish()
    assert [(e[0], e[1]) for e in events] == [(T0 + 123, "ok"), (T0 + 123, '{"log": "trunc'), (T0 + 5000, "after")]
    assert reader.malformed == 1
    reader.feed(b"bad\n" * 12)
    warnings = [r.getMessage() for r in caplog.records if "not a docker record" in r.getMessage()]
    assert len(warnings) == 2 and "(10 such lines in this file so far)" in warnings[1]  # the 1st and the 10th
    assert "trunc" not in warnings[0]  # a log line's content never goes into the agent's own log
    bad_time = RecordReader(SPEC, 0, "docker", now=lambda: 0)
    assert [(e[0], e[1]) for e in bad_time.feed(docker("ok\n") + docker("late\n", time="yesterday"))
            + bad_time.finish()][1][0] == T0 + 123  # sent, with the previous record's time
    assert bad_time.malformed == 1


def test_indented_lines_continue_an_event_as_in_files():
    reader = RecordReader(SPEC, 0, "docker")
    events = reader.feed(docker("Exception: boom\n") + docker("\tat a.b(C.java:1)\n") + docker("done\n"))
    events += reader.finish()
    assert [e[1] for e in events] == ["Exception: boom\n\tat a.b(C.java:1)", "done"]


def test_a_broken_record_among_good_ones_keeps_every_line_in_order():
    reader = RecordReader(SPEC, 0, "docker", now=lambda: 0)
    data = (docker("one\n") + b'{"log": ["not", "text"], "stream": "stdout", "time": "x"}\n'
            + json.dumps({"log": "odd stream\n", "stream": ["stdout"], "time": "2026-11-30T10:40:00Z"}).encode()
            + b"\n" + docker("two\n") + b"1, 2\n" + docker("three\n"))
    events = reader.feed(data) + reader.finish()
    assert [e[1] for e in events][0] == "one" and [e[1] for e in events][-2:] == ["1, 2", "three"]
    assert "two" in [e[1] for e in events] and reader.malformed == 3
    assert [e[3] for e in events] == sorted(e[3] for e in events) and events[-1][3] == len(data)
