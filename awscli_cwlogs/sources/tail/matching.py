"""publish_all_matching: every file the glob matches is followed at once, each by a FileTailer
of its own (with its own rotation handling), instead of only the newest match."""
import glob
import logging
import os
import time

from awscli_cwlogs.sources.tail.keys import with_file
from awscli_cwlogs.sources.tail.listing import file_info, has_live_file
from awscli_cwlogs.sources.tail.tailer import RESCAN_S, WATCHED_RESCAN_S, FileTailer
from awscli_cwlogs.sources.tail.watch import WatchesFolders, static_folder

LOG = logging.getLogger("awscli_cwlogs")


class TailerGroup(WatchesFolders):
    """A source made of FileTailers, one per file (or container) in ``_tailers`` (path ->
    FileTailer), listed again by ``_scan()`` every RESCAN_S (WATCHED_RESCAN_S when inotify tells of
    new entries); ``_dropped(paths)`` hears of those
    whose file was removed and its last copy drained."""

    _tailers = None

    def poll(self, budget):
        now = self._clock()
        if now >= self._next_scan or self._changed:
            self._changed = False
            self._scan()
            watched = any(name is None for _, name in self._watched)
            self._next_scan = now + (WATCHED_RESCAN_S if watched else RESCAN_S)
        found, busy, dropped = [], False, []
        for path, tailer in list(self._tailers.items()):
            if tailer.resting_until > now and not tailer.stirred:
                continue  # inotify watches its file and has said nothing (the cost of 1,000 idle files)
            found += tailer.poll(budget)
            busy = busy or tailer.busy
            if not tailer.has_files() and not os.path.exists(path):
                tailer.close()
                del self._tailers[path]
                dropped.append(path)
        self.busy = busy
        if dropped:
            self._dropped(dropped)
        return found

    def _dropped(self, paths):
        pass

    def _follow(self, key, tailer):
        tailer.wake = self._wake_loop  # its inotify news (a rotation) wake the agent's idle loop too
        self._tailers[key] = tailer

    def _wake_loop(self):
        if self.wake is not None:
            self.wake()

    def bytes_behind(self, positions, by_path):
        return sum(tailer.bytes_behind(positions, by_path) for tailer in self._tailers.values())

    def keys(self):
        return set().union(*(tailer.keys() for tailer in self._tailers.values()))

    def flush_pending(self):
        return [found for tailer in self._tailers.values() for found in tailer.flush_pending()]

    def close(self):
        for tailer in self._tailers.values():
            tailer.close()
        self._tailers.clear()
        self.unwatch_all()


class EveryMatchTailer(TailerGroup):
    def __init__(self, stream, spec, saved, has_state, clock=time.monotonic):
        self.stream = stream
        self._spec = self.spec = spec  # shared by the section's readers: its counts too
        self._saved = saved
        self._has_state = has_state  # for the files found at start; files that appear later are new
        self._clock = clock
        self._tailers = {}  # path -> FileTailer
        self._next_scan = 0.0
        self._warned_no_match = False
        self._started = False
        self.busy = False

    def _scan(self):
        self._watch(static_folder(self.stream.options.file))
        paths = [path for path in glob.glob(self.stream.options.file) if file_info(path) is not None]
        if not paths and not self._tailers and not self._warned_no_match:
            self._warned_no_match = True
            LOG.warning("[%s] no file matches %s yet; will keep looking", self.stream.section, self.stream.options.file)
        listed = set(paths)
        for path in paths:
            if path in self._tailers or has_live_file(path, listed):
                continue  # app.log.1 next to app.log is app.log's rotated copy: its tailer finishes it
            follow_one = with_file(self.stream, glob.escape(path))
            self._follow(path, FileTailer(follow_one, self._spec, self._saved, self._has_state or self._started,
                                          self._clock))
        self._started = True

