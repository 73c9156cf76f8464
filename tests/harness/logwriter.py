"""A log writer for the torture scenarios: numbered lines at a steady pace from a thread,
rotated by rename or copy-and-truncate when the test says."""
import os
import shutil
import threading
import time


class LogWriter(threading.Thread):
    """Appends ``seq NNNNNNNNN`` lines to ``path`` at a steady pace from a thread, until ``total``
    lines or stop(); rotates by rename (optionally writing on to the old file for a while) or by
    copy-and-truncate, as a test asks."""

    def __init__(self, path, per_second=20_000, total=None, payload="x" * 60):
        super().__init__(daemon=True)
        self.path = str(path)
        self.per_second = per_second
        self.total = total
        self.payload = payload
        self.next = 0
        self.rotations = 0
        self.lock = threading.Lock()
        self.out = open(self.path, "a", buffering=1 << 16)
        self.switch_at = None
        self.running = True

    def run(self):
        chunk = max(1, self.per_second // 100)
        while self.running and (self.total is None or self.next < self.total):
            with self.lock:
                if self.switch_at is not None and time.monotonic() >= self.switch_at:
                    self.out.close()
                    self.out = open(self.path, "a", buffering=1 << 16)
                    self.switch_at = None
                count = chunk if self.total is None else min(chunk, self.total - self.next)
                self.out.write("".join(f"seq {i:09d} {self.payload}\n" for i in range(self.next, self.next + count)))
                self.out.flush()
                self.next += count
            time.sleep(0.01)

    def rename_rotate(self, late_writes_s=0.0):
        """logrotate's rename + create; the writer reopens the live name after ``late_writes_s``."""
        with self.lock:
            self.out.flush()
            self.rotations += 1
            os.rename(self.path, f"{self.path}.{self.rotations}")
            open(self.path, "a").close()
            self.switch_at = time.monotonic() + late_writes_s

    def copytruncate(self):
        """logrotate's copytruncate, with the writer paused meanwhile (so nothing falls in between)."""
        with self.lock:
            self.out.flush()
            self.rotations += 1
            shutil.copyfile(self.path, f"{self.path}.{self.rotations}")
            os.truncate(self.path, 0)

    def finish(self):
        """Waits for ``total`` lines (or stops an open-ended writer) and returns the count written."""
        if self.total is None:
            self.running = False
        self.join()
        with self.lock:
            self.out.close()
        return self.next
