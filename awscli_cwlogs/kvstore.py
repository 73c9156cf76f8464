"""The state file: per log stream and file (fingerprint of its first lines + inode), the offset
just past the last event the service accepted. SQLite in WAL mode, created 0600, written only
after acceptance."""
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass

LOG = logging.getLogger("awscli_cwlogs")
PRUNE_AFTER_S = 7 * 86_400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS positions (
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    path TEXT NOT NULL,
    inode INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (log_group, log_stream, fingerprint, inode)
)
"""


@dataclass(frozen=True)
class Position:
    fingerprint: str
    path: str
    inode: int
    offset: int
    updated: float


class StateStore:
    def __init__(self, path, clock=time.time):
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self):
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            aside = f"{self.path}.corrupt-{int(self._clock())}"
            LOG.warning("state file %s is unreadable (%s); moved it to %s and starting without state",
                        self.path, error, aside)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.replace(self.path + suffix, aside + suffix)
            return self._connect()

    def _connect(self):
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)  # also when an older file was more open
        previous_umask = os.umask(0o077)  # the -wal and -shm files SQLite creates
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            db.execute("SELECT count(*) FROM positions").fetchone()  # reads the pages: finds corruption now
        finally:
            os.umask(previous_umask)
        return db

    def positions(self, group, stream):
        with self._lock:
            rows = self._db.execute(
                "SELECT fingerprint, path, inode, offset, updated FROM positions"
                " WHERE log_group = ? AND log_stream = ?", (group, stream)).fetchall()
        return {(row[0], row[2]): Position(*row) for row in rows}

    def has_state(self, group, stream):
        with self._lock:
            return self._db.execute("SELECT 1 FROM positions WHERE log_group = ? AND log_stream = ? LIMIT 1",
                                    (group, stream)).fetchone() is not None

    def save(self, group, stream, checkpoints):
        """Records accepted offsets: ``checkpoints`` maps (fingerprint, inode) -> (path, offset)."""
        now = self._clock()
        rows = [(group, stream, fp, path, inode, offset, now)
                for (fp, inode), (path, offset) in checkpoints.items()]
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    "INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (log_group, log_stream, fingerprint, inode) DO UPDATE SET"
                    " path = excluded.path, offset = excluded.offset,"
                    " updated = excluded.updated", rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def forget(self, group, stream, key):
        with self._lock:
            self._db.execute(
                "DELETE FROM positions WHERE log_group = ? AND log_stream = ? AND fingerprint = ? AND inode = ?",
                (group, stream, *key))

    def prune(self, group, stream, keep):
        """Forgets positions not updated for a week, except the (fingerprint, inode) keys in ``keep``."""
        cutoff = self._clock() - PRUNE_AFTER_S
        with self._lock:
            stale = [key for key in self._db.execute(
                "SELECT fingerprint, inode FROM positions WHERE log_group = ? AND log_stream = ? AND updated < ?",
                (group, stream, cutoff)) if key not in keep]
            self._db.executemany(
                "DELETE FROM positions WHERE log_group = ? AND log_stream = ? AND fingerprint = ? AND inode = ?",
                [(group, stream, *key) for key in stale])
        return len(stale)

    def close(self):
        with self._lock:
            self._db.close()
