"""What the host itself says, sampled every 50 ms while a test runs, so a metric the agent
reported at time t is compared with the host's own readings around t: not with a reading
taken seconds apart, which other processes on a shared machine can spoil."""
import threading
import time
from dataclasses import dataclass


@dataclass
class HostSample:
    at: float  # time.time()
    busy: float  # CPU seconds spent busy by all cores since boot
    total: float  # CPU seconds since boot, all cores
    disk_free: int


class HostSampler(threading.Thread):
    def __init__(self, psutil, disk_path, every_s=0.05):
        super().__init__(daemon=True)
        self._psutil, self._disk_path, self._every_s = psutil, disk_path, every_s
        self.samples = []
        self._running = True
        self._take()

    def _take(self):
        times = self._psutil.cpu_times()
        total = sum(times)
        idle = times.idle + getattr(times, "iowait", 0)
        self.samples.append(HostSample(time.time(), total - idle, total, self._psutil.disk_usage(self._disk_path).free))

    def run(self):
        while self._running:
            time.sleep(self._every_s)
            self._take()

    def stop(self):
        self._running = False
        self.join()

    def disk_free_between(self, start, end):
        """(lowest, highest) free bytes the host reported from ``start`` to ``end`` (epoch seconds)."""
        values = [s.disk_free for s in self._around(start, end)]
        return min(values), max(values)

    def cpu_busy_percent(self, start, end):
        """The host's busy share of all cores from ``start`` to ``end``, as psutil.cpu_percent counts it."""
        around = self._around(start, end)
        first, last = around[0], around[-1]
        return 100 * (last.busy - first.busy) / max(last.total - first.total, 1e-9)

    def _around(self, start, end):
        """The samples from the last one at or before ``start`` to the first at or after ``end``."""
        before = [s for s in self.samples if s.at <= start] or self.samples[:1]
        after = [s for s in self.samples if s.at >= end] or self.samples[-1:]
        return [s for s in self.samples if before[-1].at <= s.at <= after[0].at]
