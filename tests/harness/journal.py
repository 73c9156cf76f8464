"""Real journal files for the tests, written by Debian's systemd-journal-remote from the journal
export format (no running journald needed). Entries get increasing timestamps, so that
``journalctl --directory DIR --follow`` sees what is appended while it runs."""
import os
import struct
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
BOOT_ID = "0123456789abcdef0123456789abcdef"


def journal_remote_missing():
    if os.access(JOURNAL_REMOTE, os.X_OK):
        return None
    return ("systemd-journal-remote is not installed (python3 dev.py test installs Debian's "
            "systemd-journal-remote package where apt-get is available and it runs as root)")


def export_entry(fields):
    """One entry in the journal export format; values with a newline or binary data are
    written as KEY\\n<64-bit little-endian length><bytes>\\n."""
    out = bytearray()
    for key, value in fields.items():
        data = value if isinstance(value, bytes) else str(value).encode()
        if b"\n" in data or any(byte < 32 and byte != 9 for byte in data) or not _is_utf8(data):
            out += key.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"
        else:
            out += key.encode() + b"=" + data + b"\n"
    return bytes(out + b"\n")


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class JournalWriter:
    """Appends entries to DIR/test.journal; each call to append() is one systemd-journal-remote run."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "test.journal"
        self._clock_us = int(time.time() * 1_000_000) - 60_000_000  # a minute ago, then increasing
        self._monotonic = 1_000_000
        self.written = 0

    def vacuum(self):
        """Deletes the journal file, as journalctl --vacuum-* would; the clocks go on, as on the host."""
        self.path.unlink()

    def append(self, entries):
        """``entries``: dicts of journal fields (MESSAGE, _SYSTEMD_UNIT, PRIORITY, ...)."""
        blob = bytearray()
        for fields in entries:
            self._clock_us = max(self._clock_us + 1, int(time.time() * 1_000_000) - 60_000_000)
            self._monotonic += 1
            blob += export_entry({"__REALTIME_TIMESTAMP": self._clock_us, "__MONOTONIC_TIMESTAMP": self._monotonic,
                                  "_BOOT_ID": BOOT_ID, "_HOSTNAME": "testhost", "_TRANSPORT": "journal", **fields})
        result = subprocess.run([JOURNAL_REMOTE, "-o", str(self.path), "-"], input=bytes(blob),
                                capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        self.written += len(entries)


def numbered(start, count, unit="app.service", identifier="app", priority=6, pid=42):
    """Entries whose MESSAGE is ``seq NNNNNNNNN ...`` (the form audit() counts)."""
    return [{"MESSAGE": f"seq {i:09d} from {identifier}", "_SYSTEMD_UNIT": unit, "SYSLOG_IDENTIFIER": identifier,
             "_PID": pid, "PRIORITY": priority} for i in range(start, start + count)]


@contextmanager
def half_linked(path, message):
    """The journal file at ``path`` as its writer leaves it for a moment while it appends the entry
    whose MESSAGE is ``message``: the entry is in the file's index, but the data object of its new
    MESSAGE value is not linked back to it yet (its first entry set, its count of entries still 0:
    libsystemd then takes the object for bad and skips the field). On leaving, the count is written
    as the writer writes it, which wakes a reader's inotify watch as a writer's change does.

    The layout is systemd's journal file format (docs/JOURNAL_FILE_FORMAT.md): an object header of
    16 bytes, then a data object's hash, next-hash, next-field, entry, entry-array offsets and its
    count of entries (8 bytes each), then the payload (compact files: 8 bytes more before it)."""
    data = Path(path).read_bytes()
    payload = b"MESSAGE=" + message.encode()
    at = data.find(payload)
    assert at > 0 and data.find(payload, at + 1) < 0, f"{message!r} is not in {path} exactly once"
    start = next(begin for begin in (at - 72, at - 64) if data[begin] == 1  # OBJECT_DATA
                 and struct.unpack_from("<Q", data, begin + 8)[0] == at - begin + len(payload))
    count_at = start + 56
    count = data[count_at:count_at + 8]
    assert struct.unpack("<Q", count)[0] == 1 and struct.unpack_from("<Q", data, start + 40)[0] > 0
    descriptor = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(descriptor, struct.pack("<Q", 0), count_at)
        yield
        os.pwrite(descriptor, count, count_at)
    finally:
        os.close(descriptor)
