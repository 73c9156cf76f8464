"""Bytes -> events: lines, CRLF, multi-line joining, idle flush, splitting at the event limit."""
from awscli_cwlogs.lines.events import EventReader
from tests.harness.sections import spec_of
from tests.harness.sections import make_stream


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def reader(clock=None, **settings):
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", **settings)
    return EventReader(spec_of(stream, now=lambda: 1_000.0), clock=clock or Clock(), now=lambda: 1_000.0)


def messages(events):
    return [event[1] for event in events]


def test_lines_become_events_with_end_offsets_and_sizes():
    r = reader()
    events = r.feed(b"first\r\nsecond\nthi") + r.feed(b"rd\nfourth\n")
    assert messages(events) == ["first", "second", "third"]  # fourth waits: the next line may continue it
    assert [e[3] for e in events] == [7, 14, 20]
    assert [e[2] for e in events] == [5, 6, 5]
    assert all(e[0] == 1_000_000 for e in events)  # no datetime_format: the time they were read


def test_stack_traces_are_joined_until_the_next_event_starts():
    r = reader()
    events = r.feed(b"ERROR boom\n  at a.b(c.java:1)\n  at d.e(f.java:2)\n\nCaused by: x\n")
    events += r.feed(b"INFO next\n")
    assert messages(events) == ["ERROR boom\n  at a.b(c.java:1)\n  at d.e(f.java:2)\n", "Caused by: x"]


def test_pending_event_waits_for_late_continuations_then_flushes_when_idle():
    clock = Clock()
    r = reader(clock)
    assert r.feed(b"ERROR boom\n") == []
    clock.now += 0.5
    assert r.flush_idle() == []
    assert r.feed(b"  at late.continuation\n") == []  # 500 ms later: still the same event
    clock.now += 0.9
    assert r.flush_idle() == []
    clock.now += 0.2
    assert messages(r.flush_idle()) == ["ERROR boom\n  at late.continuation"]


def test_last_line_without_newline_is_sent_after_the_idle_timeout():
    clock = Clock()
    r = reader(clock)
    assert r.feed(b"complete\nno newline yet") == []
    clock.now += 1.1
    events = r.flush_idle()
    assert messages(events) == ["complete", "no newline yet"]
    assert events[-1][3] == len(b"complete\nno newline yet")


def test_datetime_format_sets_timestamps_and_lines_without_one_inherit():
    r = reader(datetime_format="%Y-%m-%d %H:%M:%S", time_zone="UTC",
               multi_line_start_pattern="{datetime_format}")
    events = r.feed(b"2026-11-22 10:00:00 a\nnot a start\n2026-11-22 10:00:01 b\n2026-11-22 10:00:02 c\n")
    assert messages(events) == ["2026-11-22 10:00:00 a\nnot a start", "2026-11-22 10:00:01 b"]
    assert events[1][0] - events[0][0] == 1000


def test_unparsable_timestamp_takes_the_previous_events():
    r = reader(datetime_format="%Y-%m-%d %H:%M:%S", time_zone="UTC", multi_line_start_pattern=".")
    events = r.feed(b"2026-11-22 10:00:00 a\nno time\nx\n")
    assert [e[0] for e in events] == [events[0][0]] * 2


def test_without_datetime_format_each_event_takes_the_time_it_is_read():
    now = [1_000.0]
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s")
    r = EventReader(spec_of(stream, now=lambda: now[0]), clock=Clock(), now=lambda: now[0])
    first = r.feed(b"a\nb\n")
    now[0] += 20 * 86_400  # weeks later, on an agent that kept running
    later = r.feed(b"c\n\xc3\xa9 non-ASCII\n") + r.finish()
    assert [(e[0], e[1]) for e in first + later] == [(1_000_000, "a"), (1_000_000, "b"), (1_000_000 + 20 * 86_400_000, "c"),
                                                     (1_000_000 + 20 * 86_400_000, "é non-ASCII")]


def test_invalid_bytes_are_replaced_not_fatal():
    r = reader()
    events = r.feed(b"ok\n\xff\xfe bad \xc3\n") + r.finish()
    assert messages(events) == ["ok", "\ufffd\ufffd bad \ufffd"]
    assert events[1][2] == len(events[1][1].encode("utf-8"))


def test_other_encodings_are_decoded():
    r = reader(encoding="latin_1")
    assert messages(r.feed(b"caf\xe9\n") + r.finish()) == ["café"]


def test_blank_lines_never_become_empty_events():
    r = reader(multi_line_start_pattern=".*")
    events = r.feed(b"a\n\n\nb\n") + r.finish()
    assert messages(events) == ["a", "b"]
    assert r.empty_events == 2


def test_a_3_mb_line_arrives_whole_in_parts_within_the_limit():
    line = ("é" + "x" * 99) * 30_000  # 3,030,000 bytes, with multi-byte characters at many cuts
    r = reader()
    events = []
    data = (line + "\nnext\n").encode()
    for start in range(0, len(data), 65_536):
        events += r.feed(data[start:start + 65_536])
    parts = messages(events)
    assert "".join(parts) == line
    assert len(parts) == 3
    assert all(len(p.encode()) <= 1_048_576 - 26 for p in parts)
    assert [e[3] for e in events] == [0, 0, len(line.encode()) + 1]  # only the last part completes the line


def test_a_long_multi_line_event_is_cut_at_line_boundaries():
    r = reader(batch_size=10_026)  # at most 10,000 bytes per event
    lines = [b"START"] + [b"  continuation %05d" % i for i in range(2000)]
    events = r.feed(b"\n".join(lines) + b"\n") + r.finish()
    assert "\n".join(messages(events)) == b"\n".join(lines).decode()
    assert all(e[2] <= 10_000 for e in events) and len(events) > 3


def test_the_ascii_fast_path_gives_the_same_events_as_the_general_one():
    import dataclasses
    import random
    rng = random.Random(7)
    pieces = [b"2026-11-20 10:00:0%d.5 INFO ok\n", b"  at frame\n", b"\n", b"crlf line\r\n", b"caf\xc3\xa9 %d\n",
              b"\tindented %d\n", b"no timestamp here\n", b"x" * 700 + b"\n", b"2026-11-20 10:00:0%d bad\xff\n"]
    weights = [30, 8, 3, 3, 1, 3, 3, 2, 1]  # few non-ASCII lines, so most chunks take the fast path
    data = b"".join((p % (i % 10)) if b"%d" in p else p for i, p in enumerate(rng.choices(pieces, weights, k=3000)))
    settings = dict(datetime_format="%Y-%m-%d %H:%M:%S.%f", time_zone="UTC", batch_size=526)
    for pattern in ("^[^\\s]", "{datetime_format}", "^(2026|crlf)"):
        fast, general = reader(multi_line_start_pattern=pattern, **settings), reader(multi_line_start_pattern=pattern, **settings)
        general._spec = dataclasses.replace(general._spec, ascii_compatible=False)
        fast_chunks = []
        fast_add_ascii = fast._add_ascii
        fast._add_ascii = lambda *args: fast_chunks.append(1) or fast_add_ascii(*args)
        fast_events, general_events = fed_alike((fast, general), data, rng, 1500)
        assert fast_events == general_events
        assert len(fast_events) > 1000 and len(fast_chunks) > 50


def fed_alike(readers, data, rng, largest):
    """The events of each reader, fed the same chunks of ``data`` (1 to ``largest`` bytes)."""
    out = [[] for _ in readers]
    position = 0
    while position < len(data):
        size = rng.randint(1, largest)
        for events, r in zip(out, readers):
            events += r.feed(data[position:position + size])
        position += size
    for events, r in zip(out, readers):
        events += r.finish()
    return out


def test_chunks_of_whole_events_made_list_wise_equal_the_general_path():
    import dataclasses
    import random
    rng = random.Random(11)
    pieces = [b"2026-11-20 10:00:0%d.%d%d INFO ok\n", b"no timestamp %d\n", b"2026-11-20 10:00:0%d.%d\n", b"y" * 600 + b"\n",
              b"  continued\n"]
    data = b"".join(p.replace(b"%d", b"%d" % (i % 10)) for i, p in enumerate(rng.choices(pieces, [80, 8, 8, 1, 1], k=6000)))
    for settings in (dict(datetime_format="%Y-%m-%d %H:%M:%S.%f", time_zone="UTC"), {}):
        fast, general = reader(batch_size=526, **settings), reader(batch_size=526, **settings)
        general._spec = dataclasses.replace(general._spec, ascii_compatible=False)
        taken = []
        list_wise = fast._add_event_lines
        fast._add_event_lines = lambda *args: taken.append(list_wise(*args)) or taken[-1]
        fast_events, general_events = fed_alike((fast, general), data, rng, 3000)
        assert fast_events == general_events
        assert taken.count(True) > 30 and taken.count(False) > 30, (taken.count(True), taken.count(False))


def test_lines_with_known_times_give_the_same_events_in_groups_as_one_by_one():
    import random
    rng = random.Random(5)
    kinds = ["2026 ok %d", "  at frame %d", "", "café %d", "x" * 600, "plain %d", "\tindented"]
    lines, position = [], 0
    for number, kind in enumerate(rng.choices(kinds, [60, 5, 3, 3, 1, 20, 3], k=5000)):
        text = kind.replace("%d", str(number))
        lines.append((text, 1_795_000_000_000 + number, position, position + len(text) + 1))
        position += len(text) + 1
    grouped, single = reader(batch_size=526), reader(batch_size=526)
    out = {id(grouped): [], id(single): []}
    start = 0
    while start < len(lines):
        size = rng.randint(1, 400)
        grouped.add_lines(lines[start:start + size], out[id(grouped)])
        for text, timestamp, begin, end in lines[start:start + size]:
            single.add_line(text, len(text.encode()), timestamp, begin, end, out[id(single)])
        start += size
    for r in (grouped, single):
        out[id(r)] += r.finish()
    assert out[id(grouped)] == out[id(single)] and len(out[id(grouped)]) > 4000


def by_the_rule(data, stream, now):
    """The events of ``data`` (whole lines) through EventGrouper.add_text alone, a line at a time:
    the rule every fast path must agree with."""
    from awscli_cwlogs.lines.grouping import EventGrouper, utf8_size
    grouper, out, position = EventGrouper(spec_of(stream, now=now), now=now), [], 0
    for raw in data.split(b"\n")[:-1]:
        text = raw.decode(stream.options.lines.encoding, "replace")
        text = text[:-1] if text.endswith("\r") else text
        grouper._add_text(text, utf8_size(text), position, position + len(raw) + 1, out)
        position += len(raw) + 1
    grouper._emit(out)
    return out


def test_every_fast_path_gives_what_the_rule_gives():
    """feed() takes ASCII chunks list-wise (each line an event) or in one inlined loop, and other
    text a line at a time; for any lines, in any chunks, the events are the rule's."""
    import random
    rng = random.Random(11)
    kinds = ["2026-11-22 10:00:%02d ok" % second for second in range(60)] + [
        "plain line", "  at frame", "\tindented", "", "crlf line\r", "caf\u00e9 line", "x" * 700, "y" * 1500,
        "no time here", "{"] + ["z" * (500 + extra) for extra in (-1, 0, 1, 3)] + [" " + "w" * 499]
    weights = [1] * 60 + [30, 8, 3, 4, 4, 3, 2, 1, 5, 2, 2, 2, 2, 2, 2]  # 500: the limit with batch_size 526
    for settings in ({}, {"datetime_format": "%Y-%m-%d %H:%M:%S"}, {"multi_line_start_pattern": "^20"},
                     {"multi_line_start_pattern": "{datetime_format}", "datetime_format": "%Y-%m-%d %H:%M:%S"},
                     {"batch_size": 526}):
        for trial in range(20):
            chosen = [(text + "\n").encode() for text in rng.choices(kinds, weights, k=rng.randint(1, 300))]
            data = b"".join(chosen)
            stream = make_stream(section="s", log_group_name="g", log_stream_name="s", **settings)
            now = lambda: 1_000.0  # noqa: E731
            r, fed, held = EventReader(spec_of(stream, now=now), clock=Clock(), now=now), [], b""
            while chosen:  # a few lines at a time (so each path gets lines of every kind), at times cut mid-line
                count = rng.choice([1, 1, 2, 3, 10, 100])
                chunk, chosen = held + b"".join(chosen[:count]), chosen[count:]
                cut = rng.randrange(len(chunk)) if chosen and rng.random() < 0.3 else len(chunk)
                fed += r.feed(chunk[:cut])
                held = chunk[cut:]
            fed += r.feed(held) + r.finish()
            assert fed == by_the_rule(data, stream, now), (settings, trial)
