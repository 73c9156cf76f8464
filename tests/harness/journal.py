"""Real journal files for the tests, written by Debian's systemd-journal-remote from the journal
export format (no running journald needed). Entries get increasing timestamps, so that
``journalctl --directory DIR --follow`` sees what is appended while it runs."""
import os
import struct
import subprocess
import time
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
