"""The journal read in-process through libsystemd (sources/journal/sdjournal.py): the section's
filters become journal matches, so libsystemd skips what is not wanted; only the fields the
format and names need are read (all for ``message_format = json``); a thread of its own waits
for new entries with sd_journal_wait and hands over lists of entries, shaped as journalctl's JSON
ones, so everything after the reader is the same."""
import errno
import logging
import os
import queue
import signal
import threading
import time

from awscli_cwlogs.sources.journal.child import ReaderProblem
from awscli_cwlogs.sources.journal.entries import FORMAT_FIELDS, NAME_FIELDS, entry_events
from awscli_cwlogs.sources.journal.journalctl import PERMISSION_FIX, gap_sentence, journal_filter
from awscli_cwlogs.sources.journal.matches import AND, MATCH, OR, UNIT_FIELDS, NoUnits, journal_steps
from awscli_cwlogs.sources.journal.sdjournal import Journal, JournalError, library

LOG = logging.getLogger("awscli_cwlogs")
BATCH_ENTRIES, BATCH_BYTES = 2000, 1 << 20  # one hand-over holds up to this many entries or bytes
BATCHES = 4  # hand-overs waiting: then the reading thread waits (memory stays bounded)
WAIT_S = 0.5  # sd_journal_wait's longest wait: how soon the thread sees close()
ENTRY_OVERHEAD = 200  # bytes an entry counts for, besides its MESSAGE, against a poll's budget
HOST_JOURNALS = ("/var/log/journal", "/run/log/journal")
DENIED_ERRORS = (errno.EACCES, errno.EPERM)


class LibsystemdReader:
    name = "libsystemd"

    def __init__(self, stream, wake=lambda: None):
        library()  # sdjournal.Unavailable: the source falls back to journalctl
        self._stream, self.wake = stream, wake
        self._fields = fields_read(stream)
        self._batches, self._stop, self._thread, self._error = None, threading.Event(), None, None

    def start(self, start):
        """Opens the journal at ``start`` (("cursor", C), ("head",) or ("tail",)) in a thread of its own."""
        denied = _unreadable(self._stream.options.journal_directory)
        if denied:
            raise ReaderProblem("denied", f"cannot read the journal: permission denied. {PERMISSION_FIX} ({denied} "
                                "is not readable)")
        self._batches, self._error = queue.Queue(BATCHES), None
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(start,), daemon=True,
                                        name=f"journal-{self._stream.section}")
        self._thread.start()
        where = self._stream.options.journal_directory or "the local journal"
        return f"libsystemd (in-process), {where}, from " + (f"the cursor {start[1]} on" if start[0] == "cursor"
                                                              else "the oldest entry" if start[0] == "head"
                                                              else "the next entry")

    def _run(self, start):
        # the agent's signals go to its main thread, whose idle wait they then end at once
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
        journal = None
        try:
            journal = Journal(self._stream.options.journal_directory)
            _apply(journal, journal_steps(self._stream, lambda: _known_units(journal)))
            _seek(journal, start)
            self._follow(journal)
        except (JournalError, NoUnits) as error:
            self._error = error
        except Exception as error:  # never a silent death of the reading thread
            LOG.exception("[%s] the journal reader failed", self._stream.section)
            self._error = error
        finally:
            if journal is not None:
                journal.close()
            self._hand_over(None)

    def _follow(self, journal):
        batch, size = [], 0
        while not self._stop.is_set():
            if journal.next():
                entry = read_entry(journal, self._fields)
                batch.append(entry)
                size += len(entry.get("MESSAGE", "")) + ENTRY_OVERHEAD
                if len(batch) < BATCH_ENTRIES and size < BATCH_BYTES:
                    continue
            if batch:
                self._hand_over((batch, size))
                batch, size = [], 0
            else:
                journal.wait(WAIT_S)

    def _hand_over(self, item):
        while True:
            try:
                self._batches.put(item, timeout=WAIT_S)
                break
            except queue.Full:
                if self._stop.is_set() and item is not None:
                    return
        self.wake()

    def take(self, budget):
        """(entries, ended): what the thread has read, up to about ``budget`` bytes of it."""
        entries, size = [], 0
        while size < budget:
            try:
                item = self._batches.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return entries, True
            entries += item[0]
            size += item[1]
        return entries, False

    def backlog(self):
        return not self._batches.empty()

    def idle(self):
        return None

    def end(self, failed_before):
        error, self._error = self._error, None
        self._thread.join(5)
        if isinstance(error, JournalError) and error.errno in DENIED_ERRORS:
            return ("denied", f"cannot read the journal: permission denied. {PERMISSION_FIX} ({error})"), ""
        return None, f"the journal reader stopped ({error}); opening the journal again from the last entry read"

    def gap(self, position):
        """As journalctl.journal_gap, in-process: looked at without the section's filters."""
        answer = _asked(self._stream.options.journal_directory,
                        lambda journal: None if _onto(journal, position[0]) else (_oldest(journal),))
        return gap_sentence(position, answer[0]) if answer else None

    def entry_at(self, cursor):
        """The entry at ``cursor`` as it reads now, or None."""
        return _asked(self._stream.options.journal_directory,
                      lambda journal: read_entry(journal, self._fields) if _onto(journal, cursor) else None)

    def close(self):
        if self._thread is None:
            return
        self._stop.set()
        deadline = time.monotonic() + 5
        while self._thread.is_alive() and time.monotonic() < deadline:
            try:  # take what is left, so the thread is not waiting to hand it over
                self._batches.get(timeout=0.1)
            except queue.Empty:
                pass
        self._thread = None


def fields_read(stream):
    """The fields the section's format and names need, as alternatives ((name, bytes name), ...):
    of each, the first that the entry has with a value; None: all (json)."""
    if stream.options.message_format == "json":
        return None
    names = stream.log_group_name + stream.log_stream_name
    wanted = FORMAT_FIELDS[stream.options.message_format] + tuple(
        fields for placeholder, fields in NAME_FIELDS.items() if "{%s}" % placeholder in names)
    return [tuple((name, name.encode()) for name in alternatives) for alternatives in wanted]


def read_entry(journal, fields):
    """The current entry as journalctl's JSON gives it: cursor, time, and ``fields`` (None: all).
    A field's alternatives after the first are read only where it is missing or empty."""
    if fields is not None:
        entry = journal.first_values(fields)
        entry["__CURSOR"], entry["__REALTIME_TIMESTAMP"] = journal.cursor(), str(journal.realtime_usec())
        return entry
    entry = {"__CURSOR": journal.cursor(), "__REALTIME_TIMESTAMP": str(journal.realtime_usec())}
    for raw_name, raw_value in journal.fields():
        name, value = raw_name.decode("utf-8", "replace"), raw_value.decode("utf-8", "replace")
        if name not in entry:
            entry[name] = value
        elif isinstance(entry[name], list):  # a field set more than once: all its values, as journalctl
            entry[name].append(value)
        else:
            entry[name] = [entry[name], value]
    return entry


def _apply(journal, steps):
    for step in steps:
        if step[0] == MATCH:
            journal.add_match(step[1])
        elif step[0] == OR:
            journal.add_disjunction()
        elif step[0] == AND:
            journal.add_conjunction()


def _seek(journal, start):
    if start[0] == "cursor":
        journal.seek_cursor(start[1])  # the entry itself comes first, if it is still there: the source drops it
    elif start[0] == "head":
        journal.seek_head()
    else:
        journal.seek_tail()
        journal.previous()  # onto the last entry: the next one read is the first new one


def _asked(directory, question):
    """``question(journal)`` of a journal opened for it alone, in the calling thread (the reading
    thread has its own); None if the journal cannot be opened or read."""
    try:
        journal = Journal(directory)
    except JournalError:
        return None
    try:
        return question(journal)
    except JournalError:
        return None
    finally:
        journal.close()


def _oldest(journal):
    journal.seek_head()
    return journal.realtime_usec() if journal.next() else None


def _onto(journal, cursor):
    """Moves onto the entry at ``cursor``; False if the journal no longer holds it."""
    journal.seek_cursor(cursor)
    return journal.next() and journal.test_cursor(cursor)


def _known_units(journal):
    units = set()
    for field in UNIT_FIELDS:
        units.update(value.decode("utf-8", "replace") for value in journal.unique(field))
    return units


def _unreadable(directory):
    """A journal folder or file this process may not read (system journals only: a user's own
    journal files are not the host's), or None."""
    folders = [directory] if directory else list(HOST_JOURNALS) + [
        os.path.join(root, name) for root in HOST_JOURNALS if os.path.isdir(root) and os.access(root, os.R_OK)
        for name in os.listdir(root)]
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        if not os.access(folder, os.R_OK | os.X_OK):
            return folder
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name.endswith(".journal") and not name.startswith("user-") and not os.access(path, os.R_OK):
                return path
    return None


def describe(stream, start):
    """What --check says the section reads, in journalctl's words for the filter."""
    place = {"cursor": "from its saved cursor", "head": "from the oldest entry", "tail": "from the next entry"}
    return (f"the journal in-process with libsystemd, {place[start[0]]}: "
            + (" ".join(journal_filter(stream)) or "the whole journal"))


def _opened(stream):
    journal = Journal(stream.options.journal_directory)
    try:
        _apply(journal, journal_steps(stream, lambda: _known_units(journal)))
    except BaseException:
        journal.close()
        raise
    return journal


def preview(stream, count):
    """As journalctl.preview, in-process: ([(timestamp_ms, message)] of the last ``count``
    matching entries as they would be sent, [problems])."""
    denied = _unreadable(stream.options.journal_directory)
    if denied:
        return [], [f"source: cannot read the journal: permission denied. {PERMISSION_FIX} ({denied} is not readable)"]
    try:
        journal = _opened(stream)
    except (JournalError, NoUnits) as error:
        return [], [f"source: {error}"]
    try:
        journal.seek_tail()
        entries = []
        while len(entries) < count and journal.previous():
            entries.append(read_entry(journal, fields_read(stream)))
    except JournalError as error:
        return [], [f"source: {error}"]
    finally:
        journal.close()
    events = [(event[0], event[1]) for entry in reversed(entries)
              for event in entry_events(entry, stream.options.message_format, None)]
    return events, [] if entries else [
        f"source: no journal entry matches ({' '.join(journal_filter(stream)) or 'the whole journal'})"]


def count_matching(stream, seconds=10.0):
    """As journalctl.count_matching, in-process: (matching entries now, whether that is all of them)."""
    try:
        journal = _opened(stream)
    except (JournalError, NoUnits):
        return 0, False
    count, deadline = 0, time.monotonic() + seconds
    try:
        journal.seek_head()
        while journal.next():
            count += 1
            if count % 10_000 == 0 and time.monotonic() > deadline:
                return count, False
        return count, True
    except JournalError:
        return count, False
    finally:
        journal.close()
