"""A journal reader's life in a section: opened (libsystemd or journalctl, journal_reader), started
at a position, started again with backoff after it ends or cannot start; its complaints logged
once (a permission problem) or each time (others)."""
import logging

from awscli_cwlogs.sources.journal.child import JournalctlReader, ReaderProblem
from awscli_cwlogs.sources.journal.entries import Unfinished
from awscli_cwlogs.sources.journal.inprocess import LibsystemdReader
from awscli_cwlogs.sources.journal.sdjournal import Unavailable

LOG = logging.getLogger("awscli_cwlogs")
BACKOFF_S = (1, 2, 4, 8, 15, 30, 60)
IDLE_CHECK_S = 1.0


def open_reader(stream, journalctl="journalctl", wake=lambda: None):
    """The section's reader: journalctl, or with ``journal_reader = libsystemd`` or ``auto`` the
    in-process one; ``auto`` falls back to journalctl with one INFO line saying why when libsystemd
    cannot be loaded (``libsystemd``: an error, tried again)."""
    if stream.options.journal_reader != "journalctl":
        try:
            return LibsystemdReader(stream, wake)
        except Unavailable as why:
            if stream.options.journal_reader == "libsystemd":
                raise ReaderProblem("missing", f"journal_reader = libsystemd, but {why}. Will try again") from None
            LOG.info("[%s] reading the journal through journalctl: %s", stream.section, why)
    return JournalctlReader(stream, journalctl, wake)


class ReaderRun:
    """``reader`` and ``unfinished`` (entries read half-written) once opened; ``running`` while
    it reads. ``wake`` (set by the agent through the source) is handed to each reader."""

    def __init__(self, stream, journalctl, clock):
        self._stream, self._journalctl, self._clock = stream, journalctl, clock
        self.reader = self.unfinished = None
        self.running = False
        self.wake = lambda: None
        self._restarts = 0
        self._restart_at = 0.0
        self._reported = set()
        self._check_at = 0.0

    def opened(self):
        """Whether there is a reader that may start now (not while backing off)."""
        if self._clock() < self._restart_at:
            return False
        if self.reader is None:
            try:
                self.reader = open_reader(self._stream, self._journalctl, self.wake)
            except ReaderProblem as problem:
                self._failed(problem)
                return False
            self.unfinished = Unfinished(self.reader.entry_at, self._clock)
        return True

    def start(self, start):
        """Starts the reader at ``start``: ("cursor", C), ("head",) or ("tail",); whether it did."""
        try:
            what = self.reader.start(start)
        except ReaderProblem as problem:
            self._failed(problem)
            return False
        self.running = True
        LOG.info("[%s] reading the journal: %s", self._stream.section, what)
        return True

    def delivered(self):
        """Entries came: the next failure waits the shortest backoff again."""
        self._restarts = 0

    def warn_if_vacuumed(self, position):
        gap = self.reader.gap(position)
        if gap:
            LOG.warning("[%s] %s", self._stream.section, gap)

    def idle(self):
        """Nothing came: the reader's complaint, if any, at most every IDLE_CHECK_S."""
        if self._clock() >= self._check_at:
            self._check_at = self._clock() + IDLE_CHECK_S
            self._complaint(self.reader.idle())

    def ended(self):
        self.running = False
        problem, message = self.reader.end(failed_before=self._restarts > 0)
        self._complaint(problem)
        if problem is None or problem[0] != "denied":
            LOG.warning("[%s] %s", self._stream.section, message)
        self._back_off()

    def close(self):
        if self.reader is not None:
            self.reader.close()
            self.unfinished.drop()  # a start after this reads them again
            self.running = False

    def _failed(self, problem):
        self._report(problem.kind, str(problem))
        self._back_off()

    def _complaint(self, problem):
        """A reader's complaint: a permission problem once as an ERROR, others as WARNINGs."""
        if problem is None:
            return
        kind, message = problem
        if kind == "denied":
            self._report("denied", message)
        else:
            LOG.warning("[%s] %s", self._stream.section, message)

    def _back_off(self):
        self._restart_at = self._clock() + BACKOFF_S[min(self._restarts, len(BACKOFF_S) - 1)]
        self._restarts += 1

    def _report(self, what, message):
        if what not in self._reported:
            self._reported.add(what)
            LOG.error("[%s] %s", self._stream.section, message)
