"""Progress of a long export on stderr, shown only when a person is watching it."""
import sys
import time

from awscli_cwlogs.timefmt import iso_millis


class Progress:
    """Counts events; at most once per ``interval`` rewrites one status line on ``stream``."""

    def __init__(self, stream, clock=time.monotonic, interval=1.0):
        self._stream = stream
        self._clock = clock
        self._interval = interval
        self._started = clock()
        self._shown_at = self._started
        self._shown = False
        self.events = 0
        self.reached = None

    def add(self, count, last_timestamp):
        self.events += count
        if last_timestamp is not None:
            self.reached = last_timestamp
        now = self._clock()
        if now - self._shown_at >= self._interval:
            self._show(now)

    def finish(self):
        if self._shown:
            self._show(self._clock())
            self._stream.write("\n")
            self._stream.flush()

    def _show(self, now):
        elapsed = max(now - self._started, 1e-9)
        reached = iso_millis(self.reached) if self.reached is not None else "-"
        self._stream.write(
            f"\r{self.events:,} events, {self.events / elapsed:,.0f} events/s, reached {reached}"
        )
        self._stream.flush()
        self._shown_at = now
        self._shown = True


class NoProgress:
    def add(self, count, last_timestamp):
        pass

    def finish(self):
        pass


def progress_for(stdout=None, stderr=None):
    """A Progress when stdout goes elsewhere and stderr is a terminal, else a no-op."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if isatty(stderr) and not isatty(stdout):
        return Progress(stderr)
    return NoProgress()


def isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
