"""Follows the files of one stream section: the newest match of its glob, plus rotated files
until they are drained. Polls with stat; reads with pread; never holds a file it cannot use."""
import errno
import glob
import logging
import os
import time

from awscli_cwlogs.lines.events import EventReader
from awscli_cwlogs.sources.tail import openfiles
from awscli_cwlogs.sources.tail.compressed import CompressedCopy, compressed_fingerprint, nothing_left
from awscli_cwlogs.sources.tail.listing import file_info, sibling_paths
from awscli_cwlogs.sources.tail.rotated import RotatedCopies
from awscli_cwlogs.sources.tail.rotation import (MTIME_SLACK_S, FileInfo, is_compressed, live_start_offset, newest,
                                                  plan_start)
from awscli_cwlogs.sources.tail.tracked import GONE, OPENED, TrackedFile, fingerprint_of, read_head
from awscli_cwlogs.sources.tail.watch import ANY_CHANGE, WatchesFolders, static_folder

LOG = logging.getLogger("awscli_cwlogs")
RESCAN_S = 2.0  # how often the glob is listed again when nothing forces it
WATCHED_RESCAN_S = 30.0  # ... when inotify tells of new entries and renames (a safety net only)
ROTATE_WAIT_S = 10.0  # a rotated file is read until it has not grown for this long
QUIET_AFTER_S = 5.0  # a file with nothing new for this long, that inotify watches, is read when it says so
QUIET_SWEEP_S = 30.0  # ... and looked at anyway this often (a file written from another NFS client)
_TAIL = 512  # bytes before our offset re-read to tell a rewritten file from a grown one (a whole line, usually)


class FileTailer(WatchesFolders, RotatedCopies):
    """``make_reader(spec, offset)`` turns a file's bytes into events (an EventReader; a
    container source gives a RecordReader); ``name_values``, if given, are the placeholders'
    values of every file it reads (a container's name, ...). ``watch``: list the glob's folder
    again as soon as it has a new entry (a section's own tailer; not one of a group's)."""

    def __init__(self, stream, spec, saved, has_state, clock=time.monotonic, make_reader=EventReader,
                 name_values=None, new_origin=False, watch=False):
        self.stream = stream
        self._spec = self.spec = spec  # shared by the section's readers: its counts too
        self._make_reader = make_reader
        self._name_values = name_values
        self._saved = saved  # key -> Position, as found at start
        self._has_state = has_state
        self._new_origin = new_origin  # appeared while the agent runs: its rotated copies are new too
        if watch:
            self._watch(static_folder(stream.file))
        self._clock = clock
        self._files = {}  # inode -> TrackedFile
        self._copies = []  # CompressedCopy: rotated files that exist only compressed, read once
        self._live = None
        self._next_scan = 0.0
        self._started = False
        self._deferred_start = None  # the live file's size at start, until it can be fingerprinted
        self._warned = set()
        self._warned_no_match = False
        self._live_seen_at = 0.0  # wall-clock time the live path last showed the tracked live file
        self._finished = {}  # inodes of rotated files read to the end (insertion-ordered, bounded)
        self.busy = False  # a read stopped at the budget: more is waiting
        self.resting_until = 0.0  # polls before this skip it, unless inotify stirs it (see _can_rest)
        self._watched_live = None  # (folder, name) inotify watches for the live file

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
        return bool(self._files or self._copies)

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
        total = 0
        for tracked in self._files.values():
            if tracked.reader is not None:
                saved = positions.get(tracked.key)
                total += max(tracked.last_size - (saved.offset if saved is not None else tracked.began_at), 0)
        return total

    def _poll(self, budget, now):
        if now >= self._next_scan or self._changed or self._live_moved():
            self._changed = False
            self._scan(now)
        self.busy = False
        found = self._read_copies(budget)
        for tracked in sorted(self._files.values(), key=lambda t: not t.rotated):
            events = self._read(tracked, budget, now)
            if events:
                found.append((tracked.key, tracked, events))
        return found

    def _can_rest(self, now):
        """Whether the next polls can skip this tailer until inotify says its live file changed:
        one file, read to its end, nothing pending, nothing new for QUIET_AFTER_S."""
        live = self._live
        if (live is None or live.rotated or self.busy or self._copies or len(self._files) != 1
                or self._deferred_start is not None or live.reader is None or live.reader.has_pending
                or now - live.last_growth < QUIET_AFTER_S):
            return False
        return self._watched_live == os.path.split(live.path)

    def _watch_live(self):
        """inotify on the live file by name, from the poll that first reads it on: a rotation is seen
        at once (the next file may be gone in a moment), an append ends a rest."""
        watched = os.path.split(self._live.path)
        if watched != self._watched_live:
            if self._watched_live is not None:
                self._unwatch(*self._watched_live)
            self._watched_live = watched if self._watch(watched[0], ANY_CHANGE, watched[1]) else None

    def flush_pending(self):
        """[(key, TrackedFile, events)]: each file's last event, which waits for the next line
        to know it is complete; for when the section stops for good (a partial line stays)."""
        found = []
        for tracked in [*self._copies, *self._files.values()]:
            events = tracked.reader.flush_complete() if tracked.reader is not None else []
            if events:
                found.append((tracked.key, tracked, events))
        return found

    def close(self):
        for tracked in [*self._copies, *self._files.values()]:
            tracked.close()
        self._files.clear()
        self._copies.clear()
        self.unwatch_all()

    def keys(self):
        return {tracked.key for tracked in [*self._copies, *self._files.values()]}

    def _read_copies(self, budget):
        found = []
        for copy in list(self._copies):
            before = copy.offset
            events = copy.read(budget)
            if events:
                found.append((copy.key, copy, events))
            if copy.done:
                self._copies.remove(copy)
            elif copy.offset > before:
                self.busy = True
        return found

    def _live_moved(self):
        if self._live is None:
            return False
        try:
            moved = os.stat(self._live.path).st_ino != self._live.inode
        except OSError:
            return True
        if not moved:
            self._live_seen_at = time.time()
        return moved

    def _scan(self, now):
        self._next_scan = now + (WATCHED_RESCAN_S if self._watched_live is not None else RESCAN_S)
        matches = self._matches()
        live = newest(matches)
        if not self._started:
            if live is not None:
                self._start(live, matches)
            elif not self._warned_no_match:
                self._warned_no_match = True
                LOG.warning("[%s] no file matches %s yet; will keep looking", self.stream.section, self.stream.file)
            return
        if self._live is not None and (live is None or live.inode != self._live.inode) and not self._live.rotated:
            LOG.info("[%s] %s was rotated or removed; reading it until it is drained",
                     self.stream.section, self._live.path)
            self._live.rotated = True
            self._adopt_missed(self._live.path)
        if live is None:
            return
        if live.inode not in self._files:
            tracked = self._open(live.path)
            if tracked is None:
                return
            if tracked.inode != live.inode:  # rotated again between the listing and the open
                tracked.close()
                self._next_scan = 0.0  # list again at the next poll
                return
            self._files[tracked.inode] = tracked
        self._live = self._files[live.inode]
        self._live.path = live.path  # the newest match may be the old file under its new name
        self._watch_live()

    def _matches(self):
        return [info for info in map(file_info, glob.glob(self.stream.file)) if info is not None]

    def _start(self, live, matches):
        """The first scan that finds a file: finish saved positions on rotated files, then the live one."""
        tracked_live = self._open(live.path)
        if tracked_live is None:
            return
        if tracked_live.inode != live.inode:  # rotated between the listing and the open
            tracked_live.close()
            self._next_scan = 0.0
            return
        self._started = True
        self._live_seen_at = time.time()
        self._files[tracked_live.inode] = self._live = tracked_live
        self._watch_live()
        tracked_live.fingerprint, tracked_live.head = read_head(tracked_live.fd, self.stream.file_fingerprint_lines)
        plan = plan_start(tracked_live.info(live.size), self._candidates(live, matches, tracked_live.key),
                          self._saved, self._has_state, self.stream.initial_position, self._new_origin)
        for info, offset in plan:
            if is_compressed(info.path):
                self._add_copy(info, offset, tracked_live.file_name)
                continue
            if info.inode == tracked_live.inode:
                if tracked_live.fingerprint is None:
                    self._deferred_start = live.size  # decided once its first lines are complete
                else:
                    self._begin(tracked_live, offset)
                continue
            tracked = self._open(info.path, urgent=True)
            if tracked is None or tracked.inode != info.inode:
                if tracked is not None:
                    tracked.close()
                continue
            tracked.fingerprint, tracked.head = read_head(tracked.fd, self.stream.file_fingerprint_lines)
            tracked.rotated = True
            tracked.file_name = tracked_live.file_name
            LOG.info("[%s] finishing %s from offset %d (rotated while the agent was stopped)",
                     self.stream.section, info.path, offset)
            self._files[tracked.inode] = tracked
            self._begin(tracked, offset)

    def _candidates(self, live, matches, live_key):
        """Other matches and rotated siblings that may hold a saved position, fingerprinted;
        compressed siblings too, where a saved position may have gone into one."""
        saved_inodes = {inode for (_, inode) in self._saved}
        copies_matter = live.inode in saved_inodes  # the live file may have been copy-truncated
        last_accepted = max((p.updated for p in self._saved.values()),
                            default=float("-inf" if self._new_origin else "inf")) - MTIME_SLACK_S
        paths = {m.path for m in matches if m.inode != live.inode} | set(sibling_paths(live.path))
        candidates = []
        for info in filter(None, map(file_info, sorted(paths))):
            if info.inode == live.inode or (info.inode not in saved_inodes and not copies_matter
                                            and info.mtime < last_accepted):
                continue
            fingerprint = fingerprint_of(info.path, self.stream.file_fingerprint_lines)
            if fingerprint is not None:
                candidates.append(FileInfo(info.path, info.inode, info.size, info.mtime, fingerprint))
        orphaned = set(self._saved) - {live_key} - {c.key for c in candidates}
        for path in sorted(sibling_paths(live.path, compressed=True)):
            try:
                info = os.stat(path)
            except OSError:
                continue
            if not orphaned and not copies_matter and info.st_mtime < last_accepted:
                continue
            fingerprint = compressed_fingerprint(path, self.stream.file_fingerprint_lines)[0]
            if fingerprint is not None:
                candidates.append(FileInfo(path, info.st_ino, None, info.st_mtime, fingerprint))
        return candidates

    def _add_copy(self, info, offset, file_name):
        if nothing_left(info.path, offset):
            return
        LOG.info("[%s] finishing %s from decompressed offset %d (it was rotated and compressed)",
                 self.stream.section, info.path, offset)
        self._copies.append(self._named(CompressedCopy(info.path, info.key, offset, file_name,
                                                       self._make_reader(self._spec, offset), self.stream.section,
                                                       self._clock)))

    def _open(self, path, urgent=False):
        """A TrackedFile for ``path``, or None (unreadable: warned; no descriptor now: waiting).
        ``urgent`` (a rotated file, that may be deleted soon) may go past the cap into the reserve."""
        try:
            fd = openfiles.FILES.open(path, self.stream.section, urgent)
        except OSError as error:
            self._warn_once(path, error)
            return None
        if fd is None:
            return None
        self._warned.discard(path)
        tracked = self._named(TrackedFile(path, fd, os.fstat(fd)))
        openfiles.FILES.held(tracked)
        return tracked

    def _named(self, origin):
        if self._name_values is not None:
            origin.name_values = self._name_values
        return origin

    def _warn_once(self, path, error):
        if path not in self._warned:
            self._warned.add(path)
            reason = "permission denied" if error.errno == errno.EACCES else error.strerror
            LOG.warning("[%s] cannot read %s: %s; will retry", self.stream.section, path, reason)

    def _begin(self, tracked, offset):
        tracked.offset = tracked.began_at = offset
        tracked.tail = os.pread(tracked.fd, min(_TAIL, offset), offset - min(_TAIL, offset))
        tracked.reader = self._make_reader(self._spec, offset)

    def _read(self, tracked, budget, now):
        if tracked.fd is None:
            found = tracked.reopen(self.stream.section)
            if found == GONE:
                LOG.info("[%s] %s was removed while it had nothing new", self.stream.section, tracked.path)
                self._forget(tracked)
                return tracked.reader.finish()
            if found != OPENED:
                return tracked.reader.flush_idle()
        events = []
        size = os.fstat(tracked.fd).st_size
        if size != tracked.last_size:
            tracked.last_size = size
            tracked.last_growth = now
            openfiles.FILES.held(tracked)  # the most recently active
            if tracked.reader is not None and (size < tracked.offset or not self._same_content(tracked)):
                LOG.warning("[%s] %s was truncated or rewritten; reading it again from the start",
                            self.stream.section, tracked.path)
                events = tracked.reader.finish()  # what was read before stays sent, pending event included
                if not tracked.rotated:
                    self._finish_copy(tracked)
                tracked.fingerprint, tracked.reader = None, None
        if tracked.reader is None and not self._try_begin(tracked):
            pass
        elif size > tracked.offset:
            data = os.pread(tracked.fd, min(budget, size - tracked.offset), tracked.offset)
            tracked.offset += len(data)
            tracked.tail = (tracked.tail + data[-_TAIL:])[-_TAIL:]
            self.busy = self.busy or tracked.offset < size
            return events + tracked.reader.feed(data)
        elif tracked.rotated:  # drained, and its writer moved on: its last event is whole (max-file may delete it soon)
            events += tracked.reader.flush_complete()
        else:
            events += tracked.reader.flush_idle()
        if tracked.rotated and now - tracked.last_growth >= ROTATE_WAIT_S:
            if tracked.reader is not None:
                events += tracked.reader.finish()
            LOG.info("[%s] done with rotated %s", self.stream.section, tracked.path)
            self._forget(tracked)
        elif now - tracked.last_growth >= openfiles.IDLE_CLOSE_S and tracked.parkable():
            tracked.park()
        return events

    def _forget(self, tracked):
        tracked.close()
        del self._files[tracked.inode]
        self._finished[tracked.inode] = True
        if len(self._finished) > 10_000:
            del self._finished[next(iter(self._finished))]

    def _try_begin(self, tracked):
        """Starts reading a file once its first lines can be fingerprinted."""
        tracked.fingerprint, tracked.head = read_head(tracked.fd, self.stream.file_fingerprint_lines)
        if tracked.fingerprint is None:
            return False
        offset = 0  # a file that appears while the agent runs is new: all of it is sent
        if tracked is self._live and self._deferred_start is not None:
            at_start = tracked.info(self._deferred_start)
            offset = live_start_offset(at_start, self._saved, self._has_state, self.stream.initial_position)
            self._deferred_start = None
        self._begin(tracked, offset)
        return True

    def _same_content(self, tracked):
        if os.pread(tracked.fd, len(tracked.head), 0) != tracked.head:
            return False
        return os.pread(tracked.fd, len(tracked.tail), tracked.offset - len(tracked.tail)) == tracked.tail

