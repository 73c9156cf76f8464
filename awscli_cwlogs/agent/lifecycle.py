"""When the agent stops or reloads: the requests (signals, end of stdin, a section removed on
reload), the wakeup of its idle loop, and the deadline for the final flush."""
import os
import select
import signal
import time


class Wakeup:
    """Wakes the agent's idle loop; safe to set from a signal handler or another thread.

    A pipe, not a threading.Event: Event.set() takes the Event's lock, and a signal handler
    runs in the main thread, which may hold that very lock (inside wait() or clear()) when the
    signal lands: the handler then waits for itself forever, and SIGTERM never stops the agent."""

    def __init__(self):
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._poll = select.poll()  # not select.select: it fails on descriptors over 1023
        self._poll.register(self._read, select.POLLIN)

    def set(self):
        try:
            os.write(self._write, b"\0")
        except BlockingIOError:  # the pipe is full: a wakeup is pending anyway
            pass

    def wait(self, seconds):
        self._poll.poll(seconds * 1000)

    def clear(self):
        try:
            while os.read(self._read, 4096):
                pass
        except BlockingIOError:
            pass


class Flag:
    """A flag set from a signal handler: a plain attribute, no lock to deadlock on."""

    def __init__(self):
        self._set = False

    def set(self):
        self._set = True

    def clear(self):
        self._set = False

    def is_set(self):
        return self._set


class Lifecycle:
    """Stop requests (signals, end of stdin, a section removed on reload) and the deadline for
    the final flush. A pipeline's lifecycle has the agent's as ``parent``: it ends with it.
    ``request_stop`` and ``request_reload`` run in signal handlers, so they take no lock."""

    def __init__(self, shutdown_timeout, clock=time.monotonic, parent=None):
        self.shutdown_timeout = shutdown_timeout
        self._clock = clock
        self._parent = parent
        self.stop_requested = Flag()
        self.reload_requested = Flag()
        # set when the idle loop should look again at once: a stop, a reload, data from a source's thread
        self.wakeup = parent.wakeup if parent is not None else Wakeup()
        self._deadline = None

    def child(self):
        return Lifecycle(self.shutdown_timeout, self._clock, parent=self)

    def request_stop(self):
        """From a signal handler: stop reading; what is buffered gets ``shutdown_timeout`` to go out."""
        if self._deadline is None:
            self._deadline = self._clock() + self.shutdown_timeout
        self.stop_requested.set()
        self.wakeup.set()

    def request_reload(self):
        self.reload_requested.set()
        self.wakeup.set()

    def expired(self):
        if self._parent is not None and self._parent.expired():
            return True
        return self._deadline is not None and self._clock() >= self._deadline

    def wait(self, seconds):
        """Sleeps, but no later than the deadline."""
        end = self._clock() + seconds
        while not self.expired():
            left = end - self._clock()
            if left <= 0:
                return
            time.sleep(min(left, 0.5))


def install_signal_handlers(lifecycle, reload=False):
    """SIGTERM and SIGINT stop, SIGHUP reloads. The handlers only call the lifecycle's
    lock-free requests: a handler that took a lock could wait for its own thread forever."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: lifecycle.request_stop())
    if reload:
        signal.signal(signal.SIGHUP, lambda *_: lifecycle.request_reload())
