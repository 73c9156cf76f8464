"""Standard input as a source: the same events, batches and publisher as a file."""
import os
import select
from dataclasses import dataclass

from awscli_cwlogs.lines.events import EventReader, LineFormat


@dataclass(frozen=True)
class StdinOptions:
    """Stdin mode's own settings (its --options): how its lines become events."""
    lines: LineFormat = LineFormat()


class StdinSource:
    def __init__(self, spec, fd=0):
        self._fd = fd
        self._reader = EventReader(spec)
        self.spec = spec
        self.exhausted = False
        self.busy = False

    def poll(self, budget):
        """[(None, self, events)]: stdin has no offsets to remember."""
        if self.exhausted:
            return []
        readable, _, _ = select.select([self._fd], [], [], 0)
        if not readable:
            self.busy = False
            return self._found(self._reader.flush_idle())
        data = os.read(self._fd, budget)
        if not data:
            self.exhausted = True
            self.busy = False
            return self._found(self._reader.finish())
        self.busy = True
        return self._found(self._reader.feed(data))

    def _found(self, events):
        return [(None, self, events)] if events else []

    def flush_pending(self):
        return self._found(self._reader.flush_complete())

    def keys(self):
        return ()  # nothing saved: stdin has no position to resume from

    def close(self):
        pass
