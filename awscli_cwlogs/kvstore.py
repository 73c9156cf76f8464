"""The agent's state: per log stream and file (fingerprint of its first lines + inode), the offset
just past the last event the service accepted; per log stream, counters for --status. Read from
a copy in memory; every change is written through to the state file (SQLite in WAL mode, created
0600, written only after acceptance; statefile.py)."""
import functools
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass

from awscli_cwlogs.limits import EVENT_OVERHEAD
from awscli_cwlogs.statefile import (StateFile, Unreadable, connect_for_reading, load, previous_copy, set_aside,
                                     transaction)

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
    not_json INTEGER NOT NULL DEFAULT 0,
    masked INTEGER NOT NULL DEFAULT 0,
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
COUNTERS = ("events_sent", "message_bytes", "batches_sent", "too_old", "too_new", "expired", "refused", "filtered",
            "not_json", "masked")
ROUTED = "\x1f"  # in a saved fingerprint: the file's, then a destination's group and stream (cloudwatch/recordroutes.py)
ADDED_COUNTERS = ("not_json", "masked")  # not in the state files of versions before structured lines


@dataclass(frozen=True)
class Position:
    fingerprint: str
    path: str
    inode: int
    offset: int
    updated: float


class StateStore:
    """The agent's state, kept in memory and written through to the state file, so that a restart
    resumes from it; while the disk refuses, the agent ships on from memory and the file is
    written again, whole, once the disk allows (statefile.py)."""

    def __init__(self, path, clock=time.time, read_only=False, retry_cap_s=5.0, lock=None):
        """``read_only`` (for --status, beside a running agent): the file itself, never created,
        repaired or written. ``retry_cap_s``: the longest wait between tries to write the file
        while it cannot be. ``lock``: the agent's StateLock, told of episodes for --status.
        Raises statefile.Unreadable for a file that is there but cannot be read."""
        self.path = str(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._pruned_hour = None
        self.set_aside = None  # what became of a damaged state file found at the start (a sentence)
        self.resumed_from = None  # (path, time) of the copy read instead of a damaged state file
        self._file = None
        if read_only:
            self._db = _open_read_only(self.path)
            return
        loaded = load_into_memory(self.path, clock)
        self._db, self.set_aside, self.resumed_from = loaded.db, loaded.set_aside, loaded.resumed_from
        self._db.executescript(_SCHEMA)
        _add_new_counters(self._db)
        self._file = StateFile(self.path, self._db, self._lock, retry_cap_s, lock, clock)
        self._file.start(loaded.read)

    @property
    def write_failures(self):
        """Failed writes of the state file since the start (the health metrics)."""
        return self._file.failures if self._file else 0

    def _write(self, apply, accepted=None):
        """``apply(db)`` in one transaction on the memory copy, then the same on the file.
        ``accepted``: (destination, events) the change records as accepted."""
        with self._lock:
            transaction(self._db, apply)
            self._file.write(apply)
            if accepted:
                self._file.accepted(*accepted)

    def positions(self, group, stream, routed=False):
        """{(fingerprint, inode): Position} of its files; ``routed``: its destinations' rows instead."""
        with self._lock:
            rows = self._db.execute("SELECT fingerprint, path, inode, offset, updated FROM positions WHERE log_group"
                                    f" = ? AND log_stream = ? AND instr(fingerprint, ?) {'>' if routed else '='} 0",
                                    (group, stream, ROUTED)).fetchall()
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
        hour = int(now // 3600)
        prune = hour != self._pruned_hour and billable_bytes(counts or {}) > 0

        def apply(db):
            db.executemany(_UPSERT_POSITION, rows)
            if counts:
                _add_counts(db, group, stream, counts, now, prune)
        events = (counts or {}).get("events_sent", 0)
        self._write(apply, accepted=(f"{group}/{stream}", events) if events else None)
        if prune:
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
        self._write(functools.partial(_record_error, row=(message, self._clock(), group, stream)))

    def set_waiting(self, waiting):
        """The files waiting for a descriptor now (path -> section), for --status; each keeps its ``since``."""
        self._write(functools.partial(_set_waiting, waiting=waiting, now=self._clock()))

    def set_config_status(self, report):
        """Where the running configuration came from (a dict: versions, last fetch, last error), for --status."""
        text = json.dumps(report)
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO config_status VALUES (1, ?)", (text,)))

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
        with self._lock:
            counters = _counters_in(self._db)
            columns = counters + ["last_accepted", "last_error", "last_error_at"]
            row = self._db.execute(f"SELECT {', '.join(columns)} FROM streams WHERE log_group = ? AND log_stream = ?",
                                   (group, stream)).fetchone()
        return {**dict.fromkeys(COUNTERS, 0), **dict(zip(columns, row or (0,) * len(counters) + (None,) * 3))}

    def forget(self, group, stream, key):
        self._write(functools.partial(_forget, keys=[(group, stream, *key)]))

    def forget_under(self, group, stream, folder):
        """Drops the positions of every file in ``folder`` (a container that was removed)."""
        prefix = folder.rstrip("/") + "/"
        self._write(functools.partial(_forget_under, row=(group, stream, len(prefix), prefix)))

    def prune(self, group, stream, keep):
        """Forgets positions not updated for a week, except the (fingerprint, inode) keys in ``keep``."""
        cutoff = self._clock() - PRUNE_AFTER_S
        with self._lock:
            stale = [key for key in self._db.execute(
                "SELECT fingerprint, inode FROM positions WHERE log_group = ? AND log_stream = ? AND updated < ?",
                (group, stream, cutoff)) if key not in keep]
        if stale:
            self._write(functools.partial(_forget, keys=[(group, stream, *key) for key in stale]))
        return len(stale)

    def close(self):
        """Writes what the file still lacks (or says what a restart would send again), and closes."""
        if self._file is not None:
            self._file.close()
        with self._lock:
            self._db.close()


@dataclass(frozen=True)
class Loaded:
    """The state in memory at a start: ``read`` whether the state file itself was read; else
    ``set_aside`` (a sentence) says what became of a damaged one, and ``resumed_from`` (path,
    time) names the copy of the last clean stop read instead."""
    db: sqlite3.Connection
    read: bool
    set_aside: str = None
    resumed_from: tuple = None


def load_into_memory(path, clock):
    """The state file read into a memory database. A damaged one is set aside, and the copy of
    the last clean stop read instead, where there is one; else the memory starts empty."""
    db, aside = _memory(), None
    try:
        return Loaded(db, load(path, db))
    except sqlite3.DatabaseError as error:  # SQLite's verdict that the file is damaged (else Unreadable)
        try:
            aside = f"is damaged ({error}); moved it to {set_aside(path, clock)}"
        except OSError as cannot:  # a read-only disk: statefile.py moves it once it can write there
            aside = f"is damaged ({error}) and cannot be moved aside now ({cannot.strerror})"
    copy = previous_copy(path)
    db.close()
    db = _memory()
    try:
        if load(copy, db):
            return Loaded(db, False, aside, (copy, os.path.getmtime(copy)))
    except (sqlite3.DatabaseError, Unreadable, OSError):
        pass
    db.close()
    return Loaded(_memory(), False, aside)


def _open_read_only(path):
    db = connect_for_reading(path)
    db.execute("SELECT count(*) FROM positions").fetchone()
    db.execute("SELECT count(*) FROM streams").fetchone()
    return db


def _memory():
    return sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)


_UPSERT_POSITION = ("INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (log_group, log_stream, fingerprint, inode) DO UPDATE SET"
                    " path = excluded.path, offset = excluded.offset, updated = excluded.updated")


def _record_error(db, row):
    db.execute("INSERT OR IGNORE INTO streams (log_group, log_stream) VALUES (?, ?)", row[2:])
    db.execute("UPDATE streams SET last_error = ?, last_error_at = ? WHERE log_group = ? AND log_stream = ?", row)


def _forget(db, keys):
    db.executemany("DELETE FROM positions WHERE log_group = ? AND log_stream = ? AND fingerprint = ? AND inode = ?",
                   keys)


def _forget_under(db, row):
    db.execute("DELETE FROM positions WHERE log_group = ? AND log_stream = ? AND substr(path, 1, ?) = ?", row)


def _set_waiting(db, waiting, now):
    db.execute("CREATE TEMP TABLE IF NOT EXISTS now_waiting (section TEXT, path TEXT)")
    db.execute("DELETE FROM now_waiting")
    db.executemany("INSERT INTO now_waiting VALUES (?, ?)", [(s, p) for p, s in waiting.items()])
    db.execute("DELETE FROM waiting WHERE (section, path) NOT IN (SELECT section, path FROM now_waiting)")
    db.execute("INSERT OR IGNORE INTO waiting SELECT section, path, ? FROM now_waiting", (now,))


def _add_new_counters(db):
    present = {row[1] for row in db.execute("PRAGMA table_info(streams)")}
    for name in ADDED_COUNTERS:
        if name not in present:
            db.execute(f"ALTER TABLE streams ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0")


def _counters_in(db):
    """COUNTERS that the streams table has: read-only (--status), an earlier version's file has fewer."""
    present = {row[1] for row in db.execute("PRAGMA table_info(streams)")}
    return [name for name in COUNTERS if name in present]


def _add_counts(db, group, stream, counts, now, prune_hours):
    names = [name for name in COUNTERS if counts.get(name)]
    db.execute("INSERT OR IGNORE INTO streams (log_group, log_stream) VALUES (?, ?)", (group, stream))
    assignments = "".join(f", {name} = {name} + ?" for name in names)
    accepted = counts.get("batches_sent", 0) > 0
    db.execute(
        f"UPDATE streams SET last_accepted = CASE WHEN ? THEN ? ELSE last_accepted END{assignments}"
        " WHERE log_group = ? AND log_stream = ?",
        (accepted, now, *(counts[name] for name in names), group, stream))
    billable = billable_bytes(counts)
    if billable > 0:  # (rejections carried over from a save that failed can make it negative)
        hour = int(now // 3600)
        db.execute("INSERT INTO billable_hours VALUES (?, ?, ?, ?) ON CONFLICT (log_group, log_stream, hour)"
                   " DO UPDATE SET billable_bytes = billable_bytes + excluded.billable_bytes",
                   (group, stream, hour, billable))
        if prune_hours:
            db.execute("DELETE FROM billable_hours WHERE hour < ?", (hour - KEEP_HOURS,))


def accepted_events(counters):
    """Events sent less those the service rejected or refused."""
    return counters.get("events_sent", 0) - sum(counters.get(name, 0) for name in REJECTED)


def billable_bytes(counters):
    """What CloudWatch meters for accepted events: their message bytes + 26 each."""
    return counters.get("message_bytes", 0) + EVENT_OVERHEAD * accepted_events(counters)
