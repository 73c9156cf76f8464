"""Folders watched with inotify (Linux; through ctypes on libc, no dependency): a new container or
a new file of a glob is seen within milliseconds instead of at the next listing. One inotify
instance for the whole agent (a host allows 128 by default), read by a thread of its own that
tells the folder's subscribers. Where inotify is missing, or its watch limit is reached, the
periodic listing the sources keep doing anyway is all there is (said once).
"""
import ctypes
import errno
import logging
import os
import select
import struct
import threading

LOG = logging.getLogger("awscli_cwlogs")
IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE = 0x8, 0x80, 0x100
IN_Q_OVERFLOW, IN_IGNORED = 0x4000, 0x8000
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
NEW_ENTRIES = IN_CREATE | IN_MOVED_TO
WRITTEN = NEW_ENTRIES | IN_CLOSE_WRITE  # and files written in place (a container's config)
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


class FolderWatch:
    """``subscribe(folder, callback, mask)``: ``callback()`` runs (on the watch's thread: keep it to
    setting a flag) when an entry of ``folder`` is created or renamed in (NEW_ENTRIES), or also
    written and closed (WRITTEN). ``unsubscribe`` with the same pair undoes it. A folder has one
    mask: the first subscriber's."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_folder = {}  # folder -> [wd, [callbacks]]
        self._by_wd = {}  # wd -> folder
        self._fd = None
        self._thread = None
        self._said = set()  # the reasons for falling back, each logged once
        try:
            self._libc = ctypes.CDLL(None, use_errno=True)
            self._libc.inotify_init1  # noqa: B018 (raises AttributeError where there is none)
        except (OSError, AttributeError):
            self._libc = None

    def subscribe(self, folder, callback, mask=NEW_ENTRIES):
        """True if the folder is watched now; False if only the periodic listing will see it."""
        with self._lock:
            entry = self._by_folder.get(folder)
            if entry is None:
                wd = self._add(folder, mask)
                if wd is None:
                    return False
                entry = self._by_folder[folder] = [wd, []]
                self._by_wd[wd] = folder
            entry[1].append(callback)
            return True

    def unsubscribe(self, folder, callback):
        with self._lock:
            entry = self._by_folder.get(folder)
            if entry is None or callback not in entry[1]:
                return
            entry[1].remove(callback)
            if not entry[1]:
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
            for callback in self._callbacks(data):
                callback()

    def _callbacks(self, data):
        """The callbacks of the folders ``data`` (inotify events) touch; all of them on overflow."""
        wds, offset = set(), 0
        while offset < len(data):
            wd, mask, _, length = _HEADER.unpack_from(data, offset)
            offset += _HEADER.size + length
            if mask & IN_Q_OVERFLOW:
                wds = None
                break
            if not mask & IN_IGNORED:
                wds.add(wd)
        with self._lock:
            folders = self._by_folder.values() if wds is None else (
                self._by_folder.get(self._by_wd.get(wd)) for wd in wds)
            return [callback for entry in folders if entry is not None for callback in list(entry[1])]


WATCH = FolderWatch()


class WatchesFolders:
    """For a source: ``_changed`` turns True as soon as a folder it watches has a new entry, and
    the agent's idle loop is woken (``wake``, set by the pipeline) to list it again."""

    wake = None
    _changed = False
    _watched = ()

    def _watch(self, folder, mask=NEW_ENTRIES):
        if folder is not None and folder not in self._watched:
            if not self._watched:
                self._watched = set()
            if WATCH.subscribe(folder, self._folder_changed, mask):
                self._watched.add(folder)

    def _unwatch(self, folder):
        if folder in self._watched:
            self._watched.discard(folder)
            WATCH.unsubscribe(folder, self._folder_changed)

    def unwatch_all(self):
        for folder in list(self._watched):
            self._unwatch(folder)

    def _folder_changed(self):  # on the watch's thread: a flag and a wakeup only
        self._changed = True
        if self.wake is not None:
            self.wake()


def static_folder(pattern):
    """The folder a glob's files are in, if it has no wildcard (so it can be watched), else None."""
    import glob
    folder = os.path.dirname(pattern) or "."
    return None if glob.has_magic(folder) else folder
