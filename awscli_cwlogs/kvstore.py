"""The state file: per log stream and file (fingerprint of its first lines + inode), the offset
just past the last event the service accepted; per log stream, counters for --status. SQLite in
WAL mode, created 0600, written only after acceptance."""
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass

from awscli_cwlogs.limits import EVENT_OVERHEAD

LOG = logging.getLogger("awscli_cwlogs")
PRUNE_AFTER_S = 7 * 86_400
KEEP_HOURS = 48  # billable bytes per hour, for --status's last 24 hours
REJECTED = ("too_old", "too_new", "expired", "refused")

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
);
CREATE TABLE IF NOT EXISTS streams (
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    events_sent INTEGER NOT NULL DEFAULT 0,
    message_bytes INTEGER NOT NULL DEFAULT 0,
    batches_sent INTEGER NOT NULL DEFAULT 0,
    too_old INTEGER NOT NULL DEFAULT 0,
    too_new INTEGER NOT NULL DEFAULT 0,
    expired INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    filtered INTEGER NOT NULL DEFAULT 0,
    last_accepted REAL,
    last_error TEXT,
    last_error_at REAL,
    PRIMARY KEY (log_group, log_stream)
);
CREATE TABLE IF NOT EXISTS waiting (
    section TEXT NOT NULL,
    path TEXT NOT NULL,
    since REAL NOT NULL,
    PRIMARY KEY (section, path)
);
CREATE TABLE IF NOT EXISTS config_status (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    report TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS billable_hours (
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    hour INTEGER NOT NULL,
    billable_bytes INTEGER NOT NULL,
    PRIMARY KEY (log_group, log_stream, hour)
);
"""
COUNTERS = ("events_sent", "message_bytes", "batches_sent", "too_old", "too_new", "expired", "refused", "filtered")


@dataclass(frozen=True)
class Position:
    fingerprint: str
    path: str
    inode: int
    offset: int
    updated: float


class StateStore:
    def __init__(self, path, clock=time.time, read_only=False):
        """``read_only`` (for --status, beside a running agent): never creates, repairs or writes."""
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._pruned_hour = None
        self._db = self._open_read_only() if read_only else self._open()

    def _open_read_only(self):
        previous_umask = os.umask(0o077)  # SQLite may create the -shm file
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=30)
            db.execute("SELECT count(*) FROM positions").fetchone()
            db.execute("SELECT count(*) FROM streams").fetchone()
        finally:
            os.umask(previous_umask)
        return db

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
            db.executescript(_SCHEMA)
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

    def save(self, group, stream, checkpoints, counts=None):
        """Records accepted offsets, ``checkpoints`` mapping (fingerprint, inode) -> (path, offset),
        and adds ``counts`` (COUNTERS -> increment) to the stream's counters, in one transaction."""
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
                if counts:
                    self._add_counts(group, stream, counts, now)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _add_counts(self, group, stream, counts, now):
        names = [name for name in COUNTERS if counts.get(name)]
        self._db.execute("INSERT OR IGNORE INTO streams (log_group, log_stream) VALUES (?, ?)", (group, stream))
        assignments = "".join(f", {name} = {name} + ?" for name in names)
        accepted = counts.get("batches_sent", 0) > 0
        self._db.execute(
            f"UPDATE streams SET last_accepted = CASE WHEN ? THEN ? ELSE last_accepted END{assignments}"
            " WHERE log_group = ? AND log_stream = ?",
            (accepted, now, *(counts[name] for name in names), group, stream))
        billable = billable_bytes(counts)
        if billable > 0:  # (rejections carried over from a save that failed can make it negative)
            hour = int(now // 3600)
            self._db.execute("INSERT INTO billable_hours VALUES (?, ?, ?, ?) ON CONFLICT (log_group, log_stream, hour)"
                             " DO UPDATE SET billable_bytes = billable_bytes + excluded.billable_bytes",
                             (group, stream, hour, billable))
            if hour != self._pruned_hour:
                self._db.execute("DELETE FROM billable_hours WHERE hour < ?", (hour - KEEP_HOURS,))
                self._pruned_hour = hour

    def billable_since(self, group, stream, seconds):
        """Billable bytes accepted in whole clock hours: this one and those that began less than
        ``seconds`` ago (for a day: this hour and the 23 before it)."""
        since = int((self._clock() - seconds) // 3600) + 1
        with self._lock:
            try:
                row = self._db.execute("SELECT sum(billable_bytes) FROM billable_hours WHERE log_group = ? AND"
                                       " log_stream = ? AND hour >= ?", (group, stream, since)).fetchone()
            except sqlite3.OperationalError:  # a state file of an older version, opened read-only
                return 0
        return row[0] or 0

    def record_error(self, group, stream, message):
        with self._lock:
            self._db.execute("INSERT OR IGNORE INTO streams (log_group, log_stream) VALUES (?, ?)", (group, stream))
            self._db.execute("UPDATE streams SET last_error = ?, last_error_at = ? WHERE log_group = ? AND log_stream = ?",
                             (message, self._clock(), group, stream))

    def set_waiting(self, waiting):
        """The files waiting for a descriptor now (path -> section), for --status; each keeps its ``since``."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS now_waiting (section TEXT, path TEXT)")
            self._db.execute("DELETE FROM now_waiting")
            self._db.executemany("INSERT INTO now_waiting VALUES (?, ?)", [(s, p) for p, s in waiting.items()])
            self._db.execute("DELETE FROM waiting WHERE (section, path) NOT IN (SELECT section, path FROM now_waiting)")
            self._db.execute("INSERT OR IGNORE INTO waiting SELECT section, path, ? FROM now_waiting", (self._clock(),))
            self._db.execute("COMMIT")

    def set_config_status(self, report):
        """Where the running configuration came from (a dict: versions, last fetch, last error), for --status."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO config_status VALUES (1, ?)", (json.dumps(report),))

    def config_status(self):
        with self._lock:
            try:
                row = self._db.execute("SELECT report FROM config_status WHERE id = 1").fetchone()
            except sqlite3.OperationalError:  # a state file of an older version, opened read-only
                return None
        return json.loads(row[0]) if row else None

    def waiting(self):
        """{section: [(path, since)]} of the files the agent said wait for a descriptor."""
        found = {}
        with self._lock:
            try:
                rows = self._db.execute("SELECT section, path, since FROM waiting ORDER BY section, path").fetchall()
            except sqlite3.OperationalError:  # a state file of an older version, opened read-only
                return found
        for section, path, since in rows:
            found.setdefault(section, []).append((path, since))
        return found

    def stream_counters(self, group, stream):
        """The stream's counters and last times as a dict (zeros and None before anything was sent)."""
        columns = COUNTERS + ("last_accepted", "last_error", "last_error_at")
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(columns)} FROM streams WHERE log_group = ? AND log_stream = ?",
                                   (group, stream)).fetchone()
        return dict(zip(columns, row or (0,) * len(COUNTERS) + (None, None, None)))

    def forget(self, group, stream, key):
        with self._lock:
            self._db.execute(
                "DELETE FROM positions WHERE log_group = ? AND log_stream = ? AND fingerprint = ? AND inode = ?",
                (group, stream, *key))

    def forget_under(self, group, stream, folder):
        """Drops the positions of every file in ``folder`` (a container that was removed)."""
        prefix = folder.rstrip("/") + "/"
        with self._lock:
            self._db.execute("DELETE FROM positions WHERE log_group = ? AND log_stream = ? AND substr(path, 1, ?) = ?",
                             (group, stream, len(prefix), prefix))

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


def accepted_events(counters):
    """Events sent less those the service rejected or refused."""
    return counters.get("events_sent", 0) - sum(counters.get(name, 0) for name in REJECTED)


def billable_bytes(counters):
    """What CloudWatch meters for accepted events: their message bytes + 26 each."""
    return counters.get("message_bytes", 0) + EVENT_OVERHEAD * accepted_events(counters)
