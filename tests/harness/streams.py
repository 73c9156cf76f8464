"""Helpers that read a running `aws` process's output with timeouts."""
import queue
import signal
import threading
import time


class LineReader:
    """Reads a pipe on a thread so a test can wait for lines without hanging forever."""

    def __init__(self, pipe):
        self._lines = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(pipe,), daemon=True)
        self._thread.start()

    def _pump(self, pipe):
        for line in pipe:
            self._lines.put(line)
        self._lines.put(None)

    def take(self, count, timeout=30.0):
        """Exactly ``count`` lines, or AssertionError naming how many came in time."""
        lines, deadline = [], time.monotonic() + timeout
        while len(lines) < count:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"got {len(lines)} of {count} lines in {timeout} s: {lines[-3:]}")
            if line is None:
                raise AssertionError(f"output ended after {len(lines)} of {count} lines")
            lines.append(line)
        return lines

    def rest(self, timeout=30.0):
        """Everything until the pipe closes."""
        lines, deadline = [], time.monotonic() + timeout
        while True:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                return lines
            lines.append(line)


def interrupted(process, reader):
    """Ctrl-C to a following reader: it must exit 0; the lines it printed until then."""
    process.send_signal(signal.SIGINT)
    assert process.wait(15) == 0
    return reader.rest()
