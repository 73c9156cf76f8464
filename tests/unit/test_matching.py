"""sources/tail/matching.py: publish_all_matching follows every match, each with a tailer of
its own; new files are found at once (inotify) or at the next listing, removed ones dropped once drained."""
import os
import time

from tests.harness.sections import spec_of
from tests.harness.sections import make_stream
from awscli_cwlogs.sources.tail import watch
from awscli_cwlogs.sources.tail.matching import EveryMatchTailer
from awscli_cwlogs.sources.tail.reading import ROTATE_WAIT_S
from awscli_cwlogs.sources.tail.tailer import RESCAN_S


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def every_match(tmp_path, clock):
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(tmp_path / "*.log*"),
                          publish_all_matching=True)
    return EveryMatchTailer(stream, spec_of(stream), {}, False, clock)


def read(source):
    """What a poll gives, and the last events held back for their end (as an idle flush would)."""
    found = source.poll(1 << 20) + source.flush_pending()
    return sorted(event[1] for _, _, events in found for event in events)


def test_every_match_is_read_and_a_new_one_at_the_next_listing(tmp_path, monkeypatch):
    monkeypatch.setattr(watch.WATCH, "subscribe", lambda *args: False)  # no inotify: listing only
    (tmp_path / "a.log").write_text("a1\n")
    (tmp_path / "b.log").write_text("b1\n")
    clock = Clock()
    source = every_match(tmp_path, clock)
    try:
        assert read(source) == ["a1", "b1"]
        (tmp_path / "c.log").write_text("c1\n")
        assert read(source) == []  # not listed again yet
        clock.now += RESCAN_S
        assert read(source) == ["c1"]
        assert len(source.keys()) == 3
    finally:
        source.close()


def test_a_new_match_is_seen_at_once_where_the_folder_is_watched(tmp_path):
    (tmp_path / "a.log").write_text("a1\n")
    woken = []
    source = every_match(tmp_path, Clock())
    source.wake = lambda: woken.append(True)
    try:
        assert read(source) == ["a1"]
        (tmp_path / "c.log").write_text("c1\n")
        deadline = time.monotonic() + 5
        while not woken and time.monotonic() < deadline:
            time.sleep(0.005)
        assert woken  # the idle loop is woken by the watch's thread
        assert read(source) == ["c1"]  # the clock has not moved: listed because of the watch
    finally:
        source.close()
    assert str(tmp_path) not in watch.WATCH._by_folder


def test_a_rotated_sibling_is_left_to_its_live_files_tailer(tmp_path):
    (tmp_path / "a.log").write_text("a1\n")
    (tmp_path / "a.log.1").write_text("old\n")
    source = every_match(tmp_path, Clock())
    try:
        assert read(source) == ["a1"]  # a.log.1 is a copy of a.log from before: not a file of its own
        assert list(source._tailers) == [str(tmp_path / "a.log")]
    finally:
        source.close()


def test_a_removed_file_is_dropped_once_read_to_its_end(tmp_path):
    (tmp_path / "a.log").write_text("a1\n")
    (tmp_path / "b.log").write_text("b1\n")
    clock = Clock()
    source = every_match(tmp_path, clock)
    try:
        read(source)
        with open(tmp_path / "b.log", "a") as out:
            out.write("b2\n")
        os.unlink(tmp_path / "b.log")
        clock.now += RESCAN_S
        assert read(source) == ["b2"]  # read to its end while still open
        assert str(tmp_path / "b.log") in source._tailers  # a late writer may still append
        clock.now += ROTATE_WAIT_S + RESCAN_S
        read(source)
        clock.now += RESCAN_S
        read(source)
        assert list(source._tailers) == [str(tmp_path / "a.log")]
    finally:
        source.close()


def test_bytes_behind_from_what_is_followed_matches_the_survey_of_the_disk(tmp_path):
    from awscli_cwlogs.kvstore import Position
    from awscli_cwlogs.sources.tail.survey import survey

    (tmp_path / "a.log").write_text("a1\na2\na3\n")
    (tmp_path / "b.log").write_text("b1\nb2\n")
    source = every_match(tmp_path, Clock())
    try:
        read(source)
        a = source._tailers[str(tmp_path / "a.log")]
        (tracked,) = a._files.files.values()
        positions = {tracked.key: Position(tracked.key[0], tracked.path, tracked.inode, 3, 0.0)}  # "a1\n" accepted
        by_path = {p.path: p for p in positions.values()}
        expected = sum(state.behind for state in survey(source.stream, positions, True))
        assert source.bytes_behind(positions, by_path) == expected == (9 - 3) + 6
    finally:
        source.close()
