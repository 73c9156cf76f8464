"""Follows the files of one stream section: the newest match of its glob, plus rotated files
until they are drained. Polls with stat; reads with pread; never holds a file it cannot use."""
import glob
import logging
import time

from awscli_cwlogs.lines.events import EventReader
from awscli_cwlogs.sources.tail.fileset import FileSet
from awscli_cwlogs.sources.tail.listing import file_info
from awscli_cwlogs.sources.tail.live import LiveFile
from awscli_cwlogs.sources.tail.resume import Resumption
from awscli_cwlogs.sources.tail.rotated import RotationFollower
from awscli_cwlogs.sources.tail.reading import FileRounds
from awscli_cwlogs.sources.tail.rotation import newest
from awscli_cwlogs.sources.tail.watch import WatchesFolders, static_folder

LOG = logging.getLogger("awscli_cwlogs")
RESCAN_S = 2.0  # how often the glob is listed again when nothing forces it
WATCHED_RESCAN_S = 30.0  # ... when inotify tells of new entries and renames (a safety net only)
QUIET_AFTER_S = 5.0  # a file with nothing new for this long, that inotify watches, is read when it says so
QUIET_SWEEP_S = 30.0  # ... and looked at anyway this often (a file written from another NFS client)


class FileTailer(WatchesFolders):
    """``make_reader(spec, offset)`` turns a file's bytes into events (an EventReader; a
    container source gives a RecordReader); ``name_values``, if given, are the placeholders'
    values of every file it reads (a container's name, ...). ``watch``: list the glob's folder
    again as soon as it has a new entry (a section's own tailer; not one of a group's)."""

    def __init__(self, stream, spec, saved, has_state, clock=time.monotonic, make_reader=EventReader,
                 name_values=None, new_origin=False, watch=False):
        self.stream = stream
        self.spec = spec  # shared by the section's readers: its counts too
        if watch:
            self._watch(static_folder(stream.options.file))
        self._clock = clock
        self._files = FileSet(stream.section, spec, make_reader, name_values, clock)
        self._rotation = RotationFollower(self._files, stream.options.file_fingerprint_lines, saved)
        # new_origin: appeared while the agent runs, so its rotated copies are new too
        self._resumption = Resumption(stream, saved, has_state, new_origin, self._files, self._rotation)
        self._rounds = FileRounds(self._files, self._rotation, stream.options.file_fingerprint_lines,
                                  self._resumption.first_offset)
        self._live = LiveFile(self._watch, self._unwatch)
        self._next_scan = 0.0
        self._started = False
        self._warned_no_match = False
        self.busy = False  # a read stopped at the budget: more is waiting
        self.resting_until = 0.0  # polls before this skip it, unless inotify stirs it (see _can_rest)

    def poll(self, budget):
        """[(key, TrackedFile, events)] read in this round, at most ``budget`` bytes per file."""
        now = self._clock()
        if self._stirred:
            self._stirred = False
        elif self.resting_until > now:
            return []
        found = self._poll(budget, now)
        self.resting_until = now + QUIET_SWEEP_S if self._can_rest(now) else 0.0
        return found

    @property
    def stirred(self):
        return self._stirred

    def has_files(self):
        return bool(self._files.files or self._files.copies)

    def bytes_behind(self, positions, by_path):
        """Bytes of its files the service has not accepted: each file's size as last seen (a resting
        file has not changed since) less its accepted offset in ``positions`` (the state file's; else
        where reading began). A file not opened yet counts whole, less a position saved for its path
        (``by_path``). Compressed copies count 0: their size is known once read. For the metrics:
        no I/O but for files not opened yet."""
        if not self._started:
            live = newest(self._matches())
            if live is None:
                return 0
            saved = by_path.get(live.path)
            return max(live.size - (saved.offset if saved is not None and saved.inode == live.inode else 0), 0)
        return self._files.bytes_behind(positions)

    def _poll(self, budget, now):
        if now >= self._next_scan or self._changed or self._live.moved():
            self._changed = False
            self._scan(now)
        found, self.busy = self._files.read_copies(budget)
        for tracked in sorted(self._files.files.values(), key=lambda t: not t.rotated):
            events, more = self._rounds.read(tracked, budget, now)
            self.busy = self.busy or more
            if events:
                found.append((tracked.key, tracked, events))
        return found

    def _can_rest(self, now):
        """Whether the next polls can skip this tailer until inotify says its live file changed:
        one file, read to its end, nothing pending, nothing new for QUIET_AFTER_S."""
        live = self._live.tracked
        if (live is None or live.rotated or self.busy or self._files.copies or len(self._files.files) != 1
                or self._resumption.deferred or live.reader is None or live.reader.has_pending
                or now - live.last_growth < QUIET_AFTER_S):
            return False
        return self._live.watched_at_its_path()

    def flush_pending(self):
        """[(key, TrackedFile, events)]: each file's last event, which waits for the next line
        to know it is complete; for when the section stops for good (a partial line stays)."""
        return self._files.flush_complete()

    def close(self):
        self._files.close()
        self.unwatch_all()

    def keys(self):
        return {tracked.key for tracked in self._files.all()}

    def _scan(self, now):
        self._next_scan = now + (WATCHED_RESCAN_S if self._live.watched else RESCAN_S)
        matches = self._matches()
        live = newest(matches)
        if not self._started:
            if live is not None:
                self._start(live, matches)
            elif not self._warned_no_match:
                self._warned_no_match = True
                LOG.warning("[%s] no file matches %s yet; will keep looking", self.stream.section,
                            self.stream.options.file)
            return
        was = self._live.tracked
        if was is not None and (live is None or live.inode != was.inode) and not was.rotated:
            LOG.info("[%s] %s was rotated or removed; reading it until it is drained", self.stream.section, was.path)
            was.rotated = True
            self._rotation.adopt_missed(was.path, self._live.seen_at)
        if live is None:
            return
        if live.inode not in self._files.files:
            tracked, replaced = self._files.open_listed(live.path, live.inode)
            if tracked is None:
                if replaced:  # rotated again between the listing and the open: list again at the next poll
                    self._next_scan = 0.0
                return
            self._files.add(tracked)
        self._live.follow(self._files.files[live.inode], live.path)

    def _matches(self):
        return [info for info in map(file_info, glob.glob(self.stream.options.file)) if info is not None]

    def _start(self, live, matches):
        """The first scan that finds a file: finish saved positions on rotated files, then the live one."""
        tracked_live, replaced = self._files.open_listed(live.path, live.inode)
        if tracked_live is None:
            if replaced:  # rotated between the listing and the open
                self._next_scan = 0.0
            return
        self._started = True
        self._live.seen_at = time.time()
        self._files.add(tracked_live)
        self._live.follow(tracked_live, live.path)
        self._resumption.start(tracked_live, live, matches)
