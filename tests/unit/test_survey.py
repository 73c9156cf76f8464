"""sources/tail/survey.py: what --check and --status say a section's glob matches, from the
files and the saved positions alone."""
import gzip
import os
import time

from tests.harness.sections import make_stream
from awscli_cwlogs.kvstore import Position
from awscli_cwlogs.sources.tail.survey import LIVE, ROTATED, SKIPPED, survey
from awscli_cwlogs.sources.tail.tracked import fingerprint_of


def stream(pattern, **extra):
    return make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(pattern), **extra)


def saved(path, offset):
    path = str(path)
    key = (fingerprint_of(path, (1, 1)), os.stat(path).st_ino)
    return {key: Position(key[0], path, key[1], offset, time.time())}


def by_name(states):
    return {os.path.basename(s.path): s for s in states}


def test_the_newest_match_is_live_and_older_ones_are_skipped(tmp_path):
    (tmp_path / "a.log").write_text("old line\n")
    os.utime(tmp_path / "a.log", (1, 1))
    (tmp_path / "b.log").write_text("new line one\nnew line two\n")
    found = by_name(survey(stream(tmp_path / "*.log"), {}, False))
    assert found["b.log"].role == LIVE and found["b.log"].behind == 26 and found["b.log"].offset is None
    assert found["a.log"].role == SKIPPED and "only the newest" in found["a.log"].note


def test_saved_positions_give_the_bytes_behind_and_rotated_copies_to_finish(tmp_path):
    live, rotated = tmp_path / "app.log", tmp_path / "app.log.1"
    rotated.write_text("rotated line 1\nrotated line 2\n")  # 30 bytes
    live.write_text("live line\n")
    positions = {**saved(rotated, 15), **saved(live, 10)}
    found = by_name(survey(stream(live), positions, True))
    assert (found["app.log"].role, found["app.log"].offset, found["app.log"].behind) == (LIVE, 10, 0)
    assert (found["app.log.1"].role, found["app.log.1"].offset, found["app.log.1"].behind) == (ROTATED, 15, 15)


def test_a_compressed_copy_with_an_unfinished_position_is_listed(tmp_path):
    live, compressed = tmp_path / "app.log", tmp_path / "app.log.1.gz"
    plain = tmp_path / "plain"
    plain.write_text("first line of the old file\nsecond\n")
    positions = saved(plain, 27)  # the agent had read the first line when logrotate compressed it
    with gzip.open(compressed, "wb") as out:
        out.write(plain.read_bytes())
    plain.unlink()
    live.write_text("now\n")
    found = by_name(survey(stream(live), positions, True))
    assert found["app.log.1.gz"].role == ROTATED and found["app.log.1.gz"].behind == 7
    assert "compressed rotated copy" in found["app.log.1.gz"].note


def test_files_it_would_not_read_say_why(tmp_path):
    (tmp_path / "x.log").mkdir()
    (tmp_path / "y.log.gz").write_bytes(gzip.compress(b"line\n"))
    found = by_name(survey(stream(tmp_path / "*"), {}, False))
    assert found["x.log"].role == SKIPPED and found["x.log"].note == "not a regular file"
    assert found["y.log.gz"].note == "compressed: never followed as a live file"


def test_initial_position_end_of_file_means_nothing_behind_on_a_first_run(tmp_path):
    (tmp_path / "app.log").write_text("already there\n")
    state = survey(stream(tmp_path / "app.log", initial_position="end_of_file"), {}, False)[0]
    assert (state.role, state.behind) == (LIVE, 0) and "starts at its end" in state.note


def test_a_file_shorter_than_its_fingerprint_waits(tmp_path):
    (tmp_path / "app.log").write_text("no newline yet")
    state = survey(stream(tmp_path / "app.log"), {}, False)[0]
    assert state.role == LIVE and "waiting for its first 1 line(s)" in state.note


def test_publish_all_matching_makes_every_match_live_but_not_rotated_siblings(tmp_path):
    for name in ("a.log", "b.log", "a.log.1"):
        (tmp_path / name).write_text(f"{name}\n")
    found = by_name(survey(stream(tmp_path / "*.log*", publish_all_matching=True), {}, False))
    assert found["a.log"].role == LIVE and found["b.log"].role == LIVE
    assert found["a.log.1"].role == SKIPPED
