"""Folders watched with inotify (Linux; through ctypes on libc, no dependency): a new container or
a new file of a glob is seen within milliseconds instead of at the next listing. One inotify
instance for the whole agent (a host allows 128 by default), read by a thread of its own that
tells the folder's subscribers. Where inotify is missing, or its watch limit is reached, the
periodic listing the sources keep doing anyway is all there is (said once).
"""
import ctypes
import errno
import glob
import logging
import os
import select
import struct
import threading

LOG = logging.getLogger("awscli_cwlogs")
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = (
    0x2, 0x4, 0x8, 0x40, 0x80, 0x100, 0x200)
IN_Q_OVERFLOW, IN_IGNORED, IN_MASK_ADD = 0x4000, 0x8000, 0x20000000
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
NEW_ENTRIES = IN_CREATE | IN_MOVED_TO
WRITTEN = NEW_ENTRIES | IN_CLOSE_WRITE  # and files written in place (a container's config)
RENAMED = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE
ANY_CHANGE = RENAMED | IN_MODIFY | IN_ATTRIB  # a followed file: appended, truncated, renamed, removed
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


class FolderWatch:
    """``subscribe(folder, callback, mask, name)``: ``callback(mask)`` runs (on the watch's thread:
    keep it to setting a flag) when an entry of ``folder`` (or only the entry ``name``) has one of
    the events of ``mask``: created or renamed in (NEW_ENTRIES), also written and closed (WRITTEN),
    anything that changes a followed file (ANY_CHANGE). ``unsubscribe`` with the same arguments
    undoes it. A folder's watch has the union of its subscribers' masks; a subscriber may hear of
    events it did not ask for, and all hear on an overflow of the kernel's queue."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_folder = {}  # folder -> [wd, mask, {name or None: [callbacks]}]
        self._by_wd = {}  # wd -> folder
        self._fd = None
        self._thread = None
        self._said = set()  # the reasons for falling back, each logged once
        try:
            self._libc = ctypes.CDLL(None, use_errno=True)
            self._libc.inotify_init1  # noqa: B018 (raises AttributeError where there is none)
        except (OSError, AttributeError):
            self._libc = None

    def subscribe(self, folder, callback, mask=NEW_ENTRIES, name=None):
        """True if the folder is watched now; False if only the periodic listing will see it."""
        with self._lock:
            entry = self._by_folder.get(folder)
            if entry is None or entry[1] | mask != entry[1]:
                wd = self._add(folder, mask | (IN_MASK_ADD if entry else 0))
                if wd is None:
                    return False
                if entry is None:
                    entry = self._by_folder[folder] = [wd, mask, {}]
                    self._by_wd[wd] = folder
                entry[1] |= mask
            entry[2].setdefault(name, []).append(callback)
            return True

    def unsubscribe(self, folder, callback, name=None):
        with self._lock:
            entry = self._by_folder.get(folder)
            callbacks = entry[2].get(name, []) if entry is not None else []
            if callback not in callbacks:
                return
            callbacks.remove(callback)
            if not callbacks:
                del entry[2][name]
            if not entry[2]:
                del self._by_folder[folder]
                self._by_wd.pop(entry[0], None)
                self._libc.inotify_rm_watch(self._fd, entry[0])

    def _add(self, folder, mask):
        if not self._start():
            return None
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(folder), mask)
        if wd >= 0:
            return wd
        code = ctypes.get_errno()
        if code == errno.ENOSPC:
            self._say("its watch limit (fs.inotify.max_user_watches) is reached")
        elif code not in (errno.ENOENT, errno.ENOTDIR):
            self._say(os.strerror(code))
        return None

    def _start(self):
        if self._fd is not None:
            return True
        if self._libc is None:
            self._say("this system has no inotify")
            return False
        fd = self._libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            self._say(os.strerror(ctypes.get_errno()))
            return False
        self._fd = fd
        self._thread = threading.Thread(target=self._run, name="folder-watch", daemon=True)
        self._thread.start()
        return True

    def _say(self, reason):
        if reason not in self._said:
            self._said.add(reason)
            LOG.info("inotify: %s; new files and containers are found by listing their folders every few "
                     "seconds", reason)

    def _run(self):
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        while True:
            poller.poll()
            try:
                data = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                continue
            for callback, mask in self._callbacks(data).items():
                callback(mask)

    def _callbacks(self, data):
        """{callback: the events it hears of} for ``data`` (inotify events); all on an overflow."""
        events, offset = [], 0
        while offset < len(data):
            wd, mask, _, length = _HEADER.unpack_from(data, offset)
            name = os.fsdecode(data[offset + _HEADER.size:offset + _HEADER.size + length].rstrip(b"\0"))
            offset += _HEADER.size + length
            events.append((wd, mask, name))
        found = {}
        with self._lock:
            for wd, mask, name in events:
                if mask & IN_Q_OVERFLOW:
                    return {callback: ANY_CHANGE for entry in self._by_folder.values()
                            for callbacks in entry[2].values() for callback in callbacks}
                entry = self._by_folder.get(self._by_wd.get(wd))
                if entry is None or mask & IN_IGNORED:
                    continue
                for callback in [*entry[2].get(None, ()), *entry[2].get(name, ())]:
                    found[callback] = found.get(callback, 0) | mask
        return found


WATCH = FolderWatch()


class WatchesFolders:
    """For a source: ``_changed`` turns True as soon as a folder it watches has a new entry or a
    file it watches by name is renamed (list it again), and the agent's idle loop is woken (``wake``,
    set by the pipeline); ``_stirred`` when a file it watches by name changed (read it)."""

    wake = None
    _changed = False
    _stirred = False
    _watched = ()  # {(folder, name)}

    def _watch(self, folder, mask=NEW_ENTRIES, name=None):
        """True if inotify watches it (now or already)."""
        if folder is None:
            return False
        if (folder, name) in self._watched:
            return True
        if not self._watched:
            self._watched = set()
        if not WATCH.subscribe(folder, self._heard, mask, name):
            return False
        self._watched.add((folder, name))
        return True

    def _unwatch(self, folder, name=None):
        if (folder, name) in self._watched:
            self._watched.discard((folder, name))
            WATCH.unsubscribe(folder, self._heard, name)

    def unwatch_all(self):
        for folder, name in list(self._watched):
            self._unwatch(folder, name)

    def _heard(self, mask):  # on the watch's thread: flags and a wakeup only
        self._stirred = True
        if mask & ~(IN_MODIFY | IN_ATTRIB):  # a new entry, a rename: at once; an append: at the next poll
            self._changed = True
            if self.wake is not None:
                self.wake()


def static_folder(pattern):
    """The folder a glob's files are in, if it has no wildcard (so it can be watched), else None."""
    folder = os.path.dirname(pattern) or "."
    return None if glob.has_magic(folder) else folder
