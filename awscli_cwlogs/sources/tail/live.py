"""The file a tailer follows as live: which one it is, when its path last showed it, and inotify
on its name, so a rotation is seen at once (the next file may be gone in a moment) and an append
ends a rest."""
import os
import time

from awscli_cwlogs.sources.tail.watch import ANY_CHANGE


class LiveFile:
    """``tracked``: the TrackedFile followed as live, None before the first; ``seen_at``: when its
    path last showed it (wall clock: compared with the ctime of files renamed away). ``watch(folder,
    mask, name)`` and ``unwatch(folder, name)`` are the tailer's (watch.WatchesFolders)."""

    def __init__(self, watch, unwatch):
        self.tracked = None
        self.seen_at = 0.0
        self._watched = None  # (folder, name) inotify watches
        self._watch, self._unwatch = watch, unwatch

    def follow(self, tracked, path):
        """``tracked`` is the live file now, at ``path`` (the newest match may be the old file under
        its new name), watched by name from the poll that first reads it on."""
        self.tracked = tracked
        tracked.path = path
        watched = os.path.split(path)
        if watched != self._watched:
            if self._watched is not None:
                self._unwatch(*self._watched)
            self._watched = watched if self._watch(watched[0], ANY_CHANGE, watched[1]) else None

    @property
    def watched(self):
        """Whether inotify watches the live file's name (new entries and renames need no listing)."""
        return self._watched is not None

    def watched_at_its_path(self):
        return self.tracked is not None and self._watched == os.path.split(self.tracked.path)

    def moved(self):
        """Whether its path now shows another file, or none; if not, it was seen there now."""
        if self.tracked is None:
            return False
        try:
            moved = os.stat(self.tracked.path).st_ino != self.tracked.inode
        except OSError:
            return True
        if not moved:
            self.seen_at = time.time()
        return moved
