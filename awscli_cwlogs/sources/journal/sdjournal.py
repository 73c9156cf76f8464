"""libsystemd's sd-journal API through ctypes: the journal read in-process, as Fluent Bit reads it,
with no compiler and no Python dependency. One Journal object belongs to the thread that opened
it (sd-journal is not thread-safe). Every call's return code is checked: a negative errno raises
JournalError naming the call. Data that libsystemd lends (a field's bytes) is copied before the
next call; what it allocates (a cursor) is freed. The calls made for every entry (next, time,
cursor, field) go through a second, untyped handle on the library with their arguments made
once: ctypes' conversion of each argument cost more than libsystemd's own work."""
import ctypes
import ctypes.util
import errno
import os

LOCAL_ONLY = 1  # SD_JOURNAL_LOCAL_ONLY, as journalctl opens the journal without --merge
NOP, APPEND, INVALIDATE = 0, 1, 2  # sd_journal_wait's answers

_NEEDED = ("sd_journal_open", "sd_journal_open_directory", "sd_journal_close", "sd_journal_add_match",
           "sd_journal_add_disjunction", "sd_journal_add_conjunction", "sd_journal_seek_head", "sd_journal_seek_tail",
           "sd_journal_seek_cursor", "sd_journal_test_cursor", "sd_journal_next", "sd_journal_previous",
           "sd_journal_get_cursor", "sd_journal_get_realtime_usec", "sd_journal_get_data", "sd_journal_restart_data",
           "sd_journal_enumerate_data", "sd_journal_wait", "sd_journal_set_data_threshold", "sd_journal_query_unique",
           "sd_journal_restart_unique", "sd_journal_enumerate_unique")


class JournalError(OSError):
    """A libsystemd call failed: ``call`` and the errno it returned."""

    def __init__(self, call, code):
        super().__init__(-code, f"{call}: {os.strerror(-code)}")
        self.call = call


class Unavailable(Exception):
    """libsystemd is not there, or lacks a call the reader needs."""


_library = None
_untyped = None


def library():
    """The loaded libsystemd.so.0, its calls typed; Unavailable saying why not."""
    global _library
    if _library is None:
        name = ctypes.util.find_library("systemd") or "libsystemd.so.0"
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError as error:
            raise Unavailable(f"cannot load libsystemd ({error})") from None
        missing = [call for call in _NEEDED if not hasattr(lib, call)]
        if missing:
            raise Unavailable(f"{name} has no {', '.join(missing)} (too old)")
        _typed(lib)
        _library = lib
    return _library


def _per_entry_calls():
    """The same library with untyped functions: every argument passed to them is a ctypes object
    or bytes made once, which ctypes hands over as it is (no int a pointer could be cut to)."""
    global _untyped
    if _untyped is None:
        _untyped = ctypes.CDLL(library()._name)
    return _untyped


def _typed(lib):
    handle, pointer = ctypes.c_void_p, ctypes.POINTER
    signatures = {
        "sd_journal_open": [pointer(handle), ctypes.c_int],
        "sd_journal_open_directory": [pointer(handle), ctypes.c_char_p, ctypes.c_int],
        "sd_journal_add_match": [handle, ctypes.c_char_p, ctypes.c_size_t],
        "sd_journal_seek_cursor": [handle, ctypes.c_char_p],
        "sd_journal_test_cursor": [handle, ctypes.c_char_p],
        "sd_journal_get_cursor": [handle, pointer(ctypes.c_void_p)],
        "sd_journal_get_realtime_usec": [handle, pointer(ctypes.c_uint64)],
        "sd_journal_get_data": [handle, ctypes.c_char_p, pointer(ctypes.c_void_p), pointer(ctypes.c_size_t)],
        "sd_journal_enumerate_data": [handle, pointer(ctypes.c_void_p), pointer(ctypes.c_size_t)],
        "sd_journal_enumerate_unique": [handle, pointer(ctypes.c_void_p), pointer(ctypes.c_size_t)],
        "sd_journal_wait": [handle, ctypes.c_uint64],
        "sd_journal_set_data_threshold": [handle, ctypes.c_size_t],
        "sd_journal_query_unique": [handle, ctypes.c_char_p],
    }
    for call in _NEEDED:
        function = getattr(lib, call)
        function.argtypes = signatures.get(call, [handle])
        function.restype = None if call in ("sd_journal_close", "sd_journal_restart_data",
                                            "sd_journal_restart_unique") else ctypes.c_int
    lib.free = ctypes.CDLL(None).free
    lib.free.argtypes, lib.free.restype = [ctypes.c_void_p], None


def _checked(call, code):
    if code < 0:
        raise JournalError(call, code)
    return code


class Journal:
    """An open journal: the host's (local, as journalctl reads it) or a folder's."""

    def __init__(self, directory=None):
        self._lib = library()
        self._handle = ctypes.c_void_p()
        if directory:
            _checked("sd_journal_open_directory",
                     self._lib.sd_journal_open_directory(ctypes.byref(self._handle), os.fsencode(directory), 0))
        else:
            _checked("sd_journal_open", self._lib.sd_journal_open(ctypes.byref(self._handle), LOCAL_ONLY))
        self._data, self._size = ctypes.c_void_p(), ctypes.c_size_t()
        _checked("sd_journal_set_data_threshold", self._lib.sd_journal_set_data_threshold(self._handle, 0))
        fast = _per_entry_calls()
        self._next, self._get_data, self._enumerate_data = fast.sd_journal_next, fast.sd_journal_get_data, \
            fast.sd_journal_enumerate_data
        self._get_realtime, self._get_cursor, self._free = fast.sd_journal_get_realtime_usec, \
            fast.sd_journal_get_cursor, self._lib.free
        self._lent, self._usec, self._text = ctypes.POINTER(ctypes.c_char)(), ctypes.c_uint64(), ctypes.c_char_p()
        self._lent_at, self._size_at = ctypes.byref(self._lent), ctypes.byref(self._size)
        self._usec_at, self._text_at = ctypes.byref(self._usec), ctypes.byref(self._text)

    def close(self):
        if self._handle:
            self._lib.sd_journal_close(self._handle)
            self._handle = ctypes.c_void_p()

    def add_match(self, field_value):
        data = field_value.encode() if isinstance(field_value, str) else field_value
        _checked("sd_journal_add_match", self._lib.sd_journal_add_match(self._handle, data, len(data)))

    def add_disjunction(self):
        _checked("sd_journal_add_disjunction", self._lib.sd_journal_add_disjunction(self._handle))

    def add_conjunction(self):
        _checked("sd_journal_add_conjunction", self._lib.sd_journal_add_conjunction(self._handle))

    def seek_head(self):
        _checked("sd_journal_seek_head", self._lib.sd_journal_seek_head(self._handle))

    def seek_tail(self):
        _checked("sd_journal_seek_tail", self._lib.sd_journal_seek_tail(self._handle))

    def seek_cursor(self, cursor):
        _checked("sd_journal_seek_cursor", self._lib.sd_journal_seek_cursor(self._handle, cursor.encode()))

    def test_cursor(self, cursor):
        """Whether the current entry is the one at ``cursor``."""
        return _checked("sd_journal_test_cursor", self._lib.sd_journal_test_cursor(self._handle, cursor.encode())) > 0

    def next(self):
        """Moves to the next entry; False at the end."""
        code = self._next(self._handle)
        return code > 0 or _checked("sd_journal_next", code) > 0

    def previous(self):
        return _checked("sd_journal_previous", self._lib.sd_journal_previous(self._handle)) > 0

    def cursor(self):
        _checked("sd_journal_get_cursor", self._get_cursor(self._handle, self._text_at))
        try:
            return self._text.value.decode()
        finally:
            self._free(self._text)
            self._text.value = None

    def realtime_usec(self):
        _checked("sd_journal_get_realtime_usec", self._get_realtime(self._handle, self._usec_at))
        return self._usec.value

    def first_values(self, wanted):
        """{name: text} of the current entry: of each of ``wanted`` (alternatives, each (name, bytes
        name)), the first field that has a value. The loop every entry goes through, kept flat."""
        get_data, handle, lent, lent_at, size, size_at = \
            self._get_data, self._handle, self._lent, self._lent_at, self._size, self._size_at
        found = {}
        for alternatives in wanted:
            for name, raw in alternatives:
                if name in found:
                    break
                code = get_data(handle, raw, lent_at, size_at)
                if code >= 0:
                    if size.value > len(raw) + 1:
                        found[name] = lent[len(raw) + 1:size.value].decode("utf-8", "replace")
                        break
                elif code != -2:  # ENOENT: the entry has no such field
                    raise JournalError("sd_journal_get_data", code)
        return found

    def fields(self):
        """Every field of the current entry as (name, value) bytes pairs, repeated ones repeated."""
        self._lib.sd_journal_restart_data(self._handle)
        found, enumerate_data, handle, lent, lent_at, size, size_at = \
            [], self._enumerate_data, self._handle, self._lent, self._lent_at, self._size, self._size_at
        while _checked("sd_journal_enumerate_data", enumerate_data(handle, lent_at, size_at)) > 0:
            name, _, value = lent[:size.value].partition(b"=")
            found.append((name, value))
        return found

    def unique(self, name):
        """The values field ``name`` takes anywhere in the journal (bytes)."""
        _checked("sd_journal_query_unique", self._lib.sd_journal_query_unique(self._handle, name.encode()))
        self._lib.sd_journal_restart_unique(self._handle)
        values = []
        while _checked("sd_journal_enumerate_unique", self._lib.sd_journal_enumerate_unique(
                self._handle, ctypes.byref(self._data), ctypes.byref(self._size))) > 0:
            values.append(ctypes.string_at(self._data, self._size.value)[len(name) + 1:])
        return values

    def wait(self, timeout_s):
        """Blocks until the journal changes or ``timeout_s`` passes: NOP, APPEND or INVALIDATE. A
        signal that lands in this thread is NOP (libsystemd may answer EINTR: systemd issue 10724)."""
        code = self._lib.sd_journal_wait(self._handle, int(timeout_s * 1_000_000))
        return NOP if code == -errno.EINTR else _checked("sd_journal_wait", code)
