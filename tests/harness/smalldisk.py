"""A small disk for a state file: a tmpfs the test mounts (as root), then fills, frees, grows and
remounts read-only, as a log flood or an operator does to /var."""
import os
import subprocess
from pathlib import Path

import pytest


class SmallDisk:
    """``with SmallDisk(folder, "1m") as disk``: mounted on ``folder``; skips the test where no
    tmpfs can be mounted (not root, or no mount rights in this sandbox)."""

    def __init__(self, folder, size):
        self.folder, self.size = Path(folder), size
        self.filler = self.folder / "filler"

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0700", "tmpfs",
                                  str(self.folder)], capture_output=True, text=True)
        if mounted.returncode:
            pytest.skip(f"cannot mount a tmpfs for the state file here (needs root and mount rights): "
                        f"{mounted.stderr.strip()[:200]}")
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "--lazy", str(self.folder)], capture_output=True)

    def fill(self):
        """Fills what is left, as a log flood fills /var."""
        subprocess.run(["dd", "if=/dev/zero", f"of={self.filler}", "bs=4k"], capture_output=True)
        assert self.free_bytes() < 4096

    def free(self):
        self.filler.unlink()

    def remount(self, options):
        """``ro``, ``rw``, ``size=2m``: the kernel refuses ``ro`` while a file on it is open for writing."""
        subprocess.run(["mount", "-o", f"remount,{options}", str(self.folder)], check=True, capture_output=True)

    def free_bytes(self):
        stats = os.statvfs(self.folder)
        return stats.f_bavail * stats.f_frsize
