"""Rotation races: a file rotated between the glob listing and the open must not stop the
tailer; a file renamed just before a restart must not be read twice."""
import os
import time

from tests.harness.sections import spec_of
from tests.harness.sections import make_stream
from awscli_cwlogs.kvstore import Position
from awscli_cwlogs.sources.tail.tailer import FileTailer
from awscli_cwlogs.sources.tail.tracked import fingerprint_of


class RotatingBeforeOpen(FileTailer):
    """Renames the live file away and creates a new one just before the tailer opens it, once."""

    def __init__(self, *args, path, rotate_on_open, **kwargs):
        super().__init__(*args, **kwargs)
        self._path, self._rotate_on_open = path, set(rotate_on_open)
        self.opens = 0
        self._open_file, self._files.open = self._files.open, self._open

    def _open(self, path, urgent=False):
        self.opens += 1
        if self.opens in self._rotate_on_open:
            os.rename(self._path, f"{self._path}.{self.opens}")
            with open(self._path, "w") as out:
                out.write(f"new file {self.opens}\nmore\n")
        return self._open_file(path, urgent)


def tailer(tmp_path, rotate_on_open):
    log = tmp_path / "app.log"
    log.write_text("first\nsecond\n")
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(log))
    clock = iter(float(i) * 10 for i in range(1000)).__next__  # every poll rescans
    return log, RotatingBeforeOpen(stream, spec_of(stream), {}, False, clock, path=str(log),
                                   rotate_on_open=rotate_on_open)


def messages(tailer, polls):
    return [event[1] for _ in range(polls) for _, _, events in tailer.poll(1 << 20) for event in events]


def test_rotation_between_listing_and_open_at_start(tmp_path):
    log, t = tailer(tmp_path, rotate_on_open={1})
    assert messages(t, 3) == ["new file 1"]  # the file that is live once the open succeeds; no state yet
    assert os.stat(log).st_ino in {inode for _, inode in t.keys()}
    t.close()


def test_rotation_between_listing_and_open_while_running(tmp_path):
    log, t = tailer(tmp_path, rotate_on_open={2})
    messages(t, 1)
    os.rename(log, f"{log}.rotated")
    log.write_text("second file\nline\n")
    got = messages(t, 4)  # the scan that opens the new file finds it replaced by a third: no KeyError
    assert "new file 2" in got
    assert os.stat(log).st_ino in {inode for _, inode in t.keys()}
    t.close()


def test_a_file_the_run_before_read_and_then_renamed_is_not_read_again(tmp_path):
    """The run before read app.log to its end, saw it renamed to app.log.1 and stopped; this run
    starts within a second, and the new app.log is renamed too: app.log.1 was renamed "since the
    live file was last seen" but it is no file a poll missed: the state file knows it, read."""
    log = tmp_path / "app.log"
    done = tmp_path / "app.log.1"
    done.write_text("old 1\nold 2\n")
    os.utime(done)  # renamed just now
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(log))
    saved = {(fingerprint_of(str(done), stream.options.file_fingerprint_lines), os.stat(done).st_ino):
             Position(fingerprint_of(str(done), stream.options.file_fingerprint_lines), str(log), os.stat(done).st_ino,
                      os.stat(done).st_size, time.time())}
    log.write_text("live 1\nlive 2\n")
    clock = iter(float(i) * 10 for i in range(1000)).__next__  # every poll rescans
    t = FileTailer(stream, spec_of(stream), saved, True, clock)
    got = messages(t, 2)
    os.rename(log, f"{log}.2")
    log.write_text("next 1\nnext 2\n")
    got += messages(t, 3) + [event[1] for _, _, events in t.flush_pending() for event in events]
    assert got == ["live 1", "live 2", "next 1", "next 2"]
    t.close()


def test_a_rotation_at_the_first_look_does_not_read_old_rotated_files(tmp_path, monkeypatch):
    """Rotated files older than the start, which no state file knew, are not ours to read just
    because the first rotation came before a poll had seen the live file in place."""
    log = tmp_path / "app.log"
    (tmp_path / "app.log.1").write_text("months old\n")
    log.write_text("live 1\nlive 2\n")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 60)  # the old file's ctime is a minute before
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(log))
    clock = iter(float(i) * 10 for i in range(1000)).__next__
    t = FileTailer(stream, spec_of(stream), {}, False, clock)
    got = messages(t, 1)
    os.rename(log, f"{log}.2")
    log.write_text("next 1\nnext 2\n")
    got += messages(t, 3) + [event[1] for _, _, events in t.flush_pending() for event in events]
    assert "months old" not in got
    assert got[-2:] == ["next 1", "next 2"]
    t.close()
