"""The state file on disk, behind the agent's copy of its state in memory (kvstore.StateStore).

Every change is written to the file as it happens. When the disk refuses (full, read-only, the
file or its folder removed), shipping goes on from memory: the file is written again, whole, as
soon as the disk allows (tried with backoff), with one WARNING when that begins and one INFO when
it ends. Only a file SQLite itself calls damaged is ever set aside; a fault of the disk never
costs the file."""
import logging
import os
import sqlite3
import threading
import time
import urllib.parse

from awscli_cwlogs.stateepisode import Episode, disk_cause

LOG = logging.getLogger("awscli_cwlogs")
HEADER = b"SQLite format 3\x00"
FIRST_RETRY_S = 0.5
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # SQLite's own word that the file is not a sound database
_DAMAGED_TEXT = ("file is not a database", "database disk image is malformed")


class Unreadable(Exception):
    """A state file that is there but cannot be read at all (its permissions): starting without it
    would send every followed file again, or skip what was written meanwhile."""


def is_damaged(error):
    name = getattr(error, "sqlite_errorname", None) or ""  # Python 3.11+; the message before that
    return name.startswith(_DAMAGED) or str(error).startswith(_DAMAGED_TEXT)


def connect_for_reading(path):
    """A read-only connection to an existing state file, whatever the disk allows: SQLite's
    read-only mode (it sees what a killed agent left in the -wal file), else the main file alone
    as immutable, where the -shm file SQLite needs cannot be made (a full or read-only disk; after
    a clean stop, which leaves no -wal file, that is all there is)."""
    uri = "file:" + urllib.parse.quote(os.path.abspath(path))
    previous_umask = os.umask(0o077)  # SQLite may create the -wal and -shm files
    try:
        try:
            return _readable(sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False, timeout=30))
        except sqlite3.DatabaseError as error:
            if is_damaged(error):
                raise
            first = error
        if not os.path.exists(path):  # immutable would create it
            raise first
        try:
            return _readable(sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False))
        except sqlite3.DatabaseError as error:
            if is_damaged(error):
                raise
            raise first from None
    finally:
        os.umask(previous_umask)


def _readable(db):
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        db.close()
        raise
    return db


def load(path, memory):
    """Copies the state file into the ``memory`` database; False if there is no file. Raises
    sqlite3.DatabaseError when the file is damaged, Unreadable when it cannot be read."""
    if not os.path.exists(path):
        return False
    try:
        db = connect_for_reading(path)
        try:
            db.backup(memory)
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        if is_damaged(error):
            raise
        raise Unreadable(f"state file {path} cannot be read: {disk_cause(path, error)}") from None
    verdict = memory.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict})")
    return True


def previous_copy(path):
    """Where a clean stop keeps a copy of the state."""
    return f"{path}.previous"


def set_aside(path, clock=time.time):
    """Renames a damaged state file (and its -wal, -shm) out of the way; returns the new name."""
    aside = f"{path}.corrupt-{int(clock())}"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.replace(path + suffix, aside + suffix)
    return aside


def transaction(db, apply):
    """Runs ``apply(db)`` in one transaction. A failed one is rolled back if SQLite has not done
    so already, and its own error is raised (not ROLLBACK's 'no transaction is active')."""
    db.execute("BEGIN")
    try:
        result = apply(db)
        db.execute("COMMIT")
        return result
    except BaseException:
        if db.in_transaction:
            try:
                db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        raise


class StateFile:
    """Writes the memory copy's changes to the file; while the file cannot take them, the whole
    copy is written again from a thread of its own, first after FIRST_RETRY_S, then doubling up to
    ``retry_cap_s``. ``guard``: the store's lock, held around every use of either database.
    ``lock``: the agent's StateLock (statelock.py), or None: told of each episode for --status,
    and renewed when the state folder was removed."""

    def __init__(self, path, memory, guard, retry_cap_s=5.0, lock=None, clock=time.time, monotonic=time.monotonic):
        self.path, self._memory, self._guard = path, memory, guard
        self._retry_cap_s, self._lock = retry_cap_s, lock
        self._clock, self._monotonic = clock, monotonic
        self._db = self._fd = None
        self.episode = None  # an Episode while the file is behind the memory copy
        self.failures = 0  # failed writes, cumulative (the health metrics)
        self._retrying = None
        self._closing = threading.Event()

    def start(self, read_from_file):
        """Opens the file for writing and writes the memory copy into it. ``read_from_file``: the
        copy was read from it (so a failure means the disk, not a missing file)."""
        with self._guard:
            try:
                self._write_whole()
            except (sqlite3.Error, OSError) as error:
                problem = "can be read but not written" if read_from_file else "cannot be created"
                self._failed(error, f"state file {self.path} {problem}")
            self._tell()

    def write(self, apply):
        """The change ``apply`` just made to the memory copy, made to the file too (under the guard).
        A file removed, overwritten or damaged under the running agent is written anew, whole."""
        if self.episode is not None:
            return  # the retry thread writes the whole copy
        try:
            try:
                lost = self._lost()
                if lost is None:
                    transaction(self._db, apply)
                    return
            except sqlite3.DatabaseError as error:
                if not is_damaged(error):
                    raise
                lost = self._set_aside(f"was damaged under the running agent ({error})")
            LOG.warning("state file %s %s; writing it again with every position the agent holds: nothing is "
                        "sent again", self.path, lost)
            self._write_whole()
            self._renew_lock()
        except (sqlite3.Error, OSError) as error:
            self._failed(error, f"state file {self.path} cannot be written")
            self._tell()

    def accepted(self, destination, events):
        """Events accepted while the file is behind: what a kill -9 now would send again (under the guard)."""
        if self.episode is not None:
            self.episode.unsaved[destination] = self.episode.unsaved.get(destination, 0) + events

    def close(self):
        """Stops the retries; one last write if the file is behind (saying what a restart sends
        again if even that fails), else the copy of a clean stop; closes the file."""
        self._closing.set()
        if self._retrying is not None:
            self._retrying.join()
        with self._guard:
            if self.episode is not None:
                self._catch_up()
            if self.episode is not None:
                LOG.warning("stopping with %s", self.episode.describe_stop(self.path, self._monotonic()))
            else:
                keep_copy(self._memory, self.path)
            self._tell(stopped=True)
            self._close_file()

    def _failed(self, error, what):
        self.failures += 1
        if self.episode is not None:
            self.episode.failures += 1
            return
        cause = disk_cause(self.path, error)
        self.episode = Episode(cause, self._monotonic(), self._clock())
        LOG.warning("%s: %s; shipping goes on with the positions kept in memory, and the file is written "
                    "as soon as the disk allows (tried again at least every %g s); until then a kill -9 "
                    "would send again what is accepted from now on", what, cause, self._retry_cap_s)
        if self._retrying is None or not self._retrying.is_alive():
            self._retrying = threading.Thread(target=self._retry, name="state-file", daemon=True)
            self._retrying.start()

    def _retry(self):
        delay = min(FIRST_RETRY_S, self._retry_cap_s)
        while not self._closing.wait(delay):
            with self._guard:
                if self.episode is None:
                    return
                self._catch_up()
                if self.episode is None:
                    return
            delay = min(delay * 2, self._retry_cap_s)

    def _catch_up(self):
        """Writes the whole memory copy into the file, which ends the episode."""
        try:
            self._write_whole()
        except (sqlite3.Error, OSError) as error:
            self._failed(error, f"state file {self.path} cannot be written")
            self._tell()
            return
        episode, self.episode = self.episode, None
        LOG.info("%s", episode.describe_end(self.path, self._monotonic()))
        self._renew_lock()
        self._tell()

    def _write_whole(self):
        """The file opened anew (a connection SQLite opened while the disk refused keeps refusing
        after the disk allows again) and the whole memory copy written into it."""
        self._close_file()
        self._db, self._fd = open_for_writing(self.path, self._clock)
        self._memory.backup(self._db)

    def _lost(self):
        """Why the open file is no longer the state file (then closed, and set aside if it holds
        something else now), or None while it is."""
        if os.fstat(self._fd).st_nlink == 0:
            self._close_file()
            return "was removed (or its folder) while the agent ran"
        if os.pread(self._fd, len(HEADER), 0) not in (HEADER, b""):
            return self._set_aside("was overwritten with something that is not SQLite while the agent ran")
        return None

    def _set_aside(self, what):
        self._close_file()
        return f"{what}; moved it to {set_aside(self.path, self._clock)}"

    def _close_file(self):
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
        if self._fd is not None:  # after SQLite's connection: closing it drops SQLite's locks on the file
            os.close(self._fd)
            self._fd = None

    def _renew_lock(self):
        if self._lock is not None:
            self._lock.renew()

    def _tell(self, stopped=False):
        if self._lock is not None:
            self._lock.tell(self.episode.as_note() if self.episode else None, stopped)


def open_for_writing(path, clock=time.time):
    """(connection, descriptor) of the state file opened for writing: its folder (0700) and the
    file (0600) created where missing, a damaged file found there set aside first. The descriptor
    stays open beside SQLite's: its link count says when the file was removed."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)  # also when an older file was more open
        return _connect(path), fd
    except sqlite3.DatabaseError as error:
        os.close(fd)
        if not is_damaged(error):
            raise
        LOG.warning("state file %s is damaged (%s); moved it to %s", path, error, set_aside(path, clock))
        return open_for_writing(path, clock)
    except BaseException:
        os.close(fd)
        raise


def keep_copy(memory, path):
    """The whole state, as a clean stop leaves it, in ``<state_file>.previous``: a start that finds
    the state file damaged resumes from it instead of from nothing."""
    copy = previous_copy(path)
    temporary = f"{copy}.new"
    previous_umask = os.umask(0o077)  # the -journal file SQLite creates beside it
    try:
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        db = sqlite3.connect(temporary)
        try:
            memory.backup(db)
        finally:
            db.close()
        os.replace(temporary, copy)
    except (sqlite3.Error, OSError) as error:
        LOG.warning("cannot keep a copy of the state in %s at this stop: %s", copy, disk_cause(copy, error))
        for leftover in (temporary, f"{temporary}-journal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    finally:
        os.umask(previous_umask)


def _connect(path):
    previous_umask = os.umask(0o077)  # the -wal and -shm files SQLite creates
    try:
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            db.close()
            raise
    finally:
        os.umask(previous_umask)
    return db
