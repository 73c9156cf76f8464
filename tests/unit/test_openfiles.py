"""The descriptor budget: files parked when idle and reopened when they change, a cap with
least-recently-active parking, and running out of descriptors without losing a line."""
import errno
import logging
import os

import pytest

from tests.harness.sections import spec_of
from tests.harness.sections import make_stream
from awscli_cwlogs.sources.tail import openfiles
from awscli_cwlogs.sources.tail.matching import EveryMatchTailer
from awscli_cwlogs.sources.tail.tailer import FileTailer


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def files(monkeypatch):
    budget = openfiles.OpenFiles(cap=4)
    monkeypatch.setattr(openfiles, "FILES", budget)
    return budget


def follow(pattern, every=False, clock=None):
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(pattern),
                          publish_all_matching=every)
    kind = EveryMatchTailer if every else FileTailer
    return kind(stream, spec_of(stream), {}, False, clock or Clock())


def read(tailer, clock, polls=3, step=0.3):
    got = []
    for _ in range(polls):
        clock.now += step
        got += [event[1] for _, _, events in tailer.poll(1 << 20) for event in events]
    return got


def pending(tailer):
    """The last event of each file: complete only when the next line comes (or the section stops)."""
    return [event[1] for _, _, events in tailer.flush_pending() for event in events]


def closed_while_idle(tmp_path):
    """(log, clock, tailer): app.log with "one", "two" read (the last one pending), then closed after
    IDLE_CLOSE_S with nothing new."""
    log, clock = tmp_path / "app.log", Clock()
    log.write_text("one\ntwo\n")
    tailer = follow(log, clock=clock)
    assert read(tailer, clock) == ["one"]
    clock.now += openfiles.IDLE_CLOSE_S
    read(tailer, clock, polls=1)
    assert len(openfiles.FILES) == 0
    return log, clock, tailer


def test_an_idle_file_is_closed_and_read_again_when_it_grows(tmp_path, files):
    log, clock, tailer = closed_while_idle(tmp_path)
    with open(log, "a") as out:
        out.write("three\nfour\n")
    assert read(tailer, clock) == ["two", "three"]
    assert len(files) == 1
    assert pending(tailer) == ["four"]
    tailer.close()
    assert len(files) == 0


def test_a_file_rotated_while_closed_is_finished_under_its_new_name(tmp_path, files):
    log, clock, tailer = closed_while_idle(tmp_path)
    with open(log, "a") as out:
        out.write("three\n")
    os.rename(log, f"{log}.1")
    log.write_text("new one\nnew two\n")
    clock.now += 3  # the next listing
    got = read(tailer, clock, polls=3) + read(tailer, clock, polls=2, step=11)  # and past ROTATE_WAIT_S
    assert sorted(got + pending(tailer)) == ["new one", "new two", "three", "two"]
    tailer.close()


def test_a_file_removed_while_closed_is_let_go(tmp_path, files, caplog):
    log, clock, tailer = closed_while_idle(tmp_path)
    os.unlink(log)
    with caplog.at_level(logging.INFO, logger="awscli_cwlogs"):
        assert read(tailer, clock, polls=2) == ["two"]  # its last event, complete now
    assert "was removed while it had nothing new" in caplog.text
    assert tailer.keys() == set()


def test_more_files_than_the_cap_are_all_read_exactly_once(tmp_path, files):
    for number in range(12):
        (tmp_path / f"f{number:02}.log").write_text(f"{number} a\n{number} b\n{number} c\n")
    clock = Clock()
    tailer = follow(tmp_path / "*.log", every=True, clock=clock)
    got, most = [], 0
    for _ in range(40):
        got += read(tailer, clock, polls=1, step=1.0)
        most = max(most, len(files))
    assert sorted(got + pending(tailer)) == sorted(f"{number} {letter}" for number in range(12) for letter in "abc")
    assert most <= files.cap == 4
    assert files.waiting == {}
    tailer.close()


def test_running_out_of_descriptors_waits_with_one_warning(tmp_path, files, monkeypatch, caplog):
    for number in range(6):
        (tmp_path / f"f{number}.log").write_text(f"{number} a\n{number} b\n")
    files.cap = 100
    real_open, allowed = os.open, [2]

    def scarce_open(path, flags, *args):
        if str(path).endswith(".log"):
            if allowed[0] <= 0:
                raise OSError(errno.EMFILE, "Too many open files")
            allowed[0] -= 1
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", scarce_open)
    clock = Clock()
    tailer = follow(tmp_path / "*.log", every=True, clock=clock)
    with caplog.at_level(logging.INFO, logger="awscli_cwlogs"):
        got = read(tailer, clock, polls=2, step=1.0)
        assert len(files.waiting) == 4
        allowed[0] = 1000
        for _ in range(10):
            got += read(tailer, clock, polls=1, step=1.0)
    assert sorted(got + pending(tailer)) == sorted(f"{number} {letter}" for number in range(6) for letter in "ab")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "open files: cannot open more files (Too many open files); files wait their turn, nothing is skipped "
        "(aws logs push --status lists them)"]
    assert "every waiting file is open now" in caplog.text
    assert files.waiting == {}
    tailer.close()


def test_what_was_appended_just_before_a_file_was_closed_is_read(tmp_path, files):
    log, clock = tmp_path / "app.log", Clock()
    log.write_text("one\ntwo\n")
    tailer = follow(log, clock=clock)
    assert read(tailer, clock) == ["one"]
    with open(log, "a") as out:
        out.write("three\nfour\n")  # after the tailer's last look, before it closes the file
    (tracked,) = tailer._files.files.values()
    tracked.park()
    assert read(tailer, clock) == ["two", "three"]
    tailer.close()
