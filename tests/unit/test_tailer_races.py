"""A file rotated between the glob listing and the open must not stop the tailer."""
import os

from awscli_cwlogs.config import StreamConfig
from awscli_cwlogs.events import event_spec
from awscli_cwlogs.sources.files import FileTailer


class RotatingBeforeOpen(FileTailer):
    """Renames the live file away and creates a new one just before the tailer opens it, once."""

    def __init__(self, *args, path, rotate_on_open, **kwargs):
        super().__init__(*args, **kwargs)
        self._path, self._rotate_on_open = path, set(rotate_on_open)
        self.opens = 0

    def _open(self, path):
        self.opens += 1
        if self.opens in self._rotate_on_open:
            os.rename(self._path, f"{self._path}.{self.opens}")
            with open(self._path, "w") as out:
                out.write(f"new file {self.opens}\nmore\n")
        return super()._open(path)


def tailer(tmp_path, rotate_on_open):
    log = tmp_path / "app.log"
    log.write_text("first\nsecond\n")
    stream = StreamConfig(section="s", log_group_name="g", log_stream_name="s", file=str(log))
    clock = iter(float(i) * 10 for i in range(1000)).__next__  # every poll rescans
    return log, RotatingBeforeOpen(stream, event_spec(stream), {}, False, clock, path=str(log),
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
