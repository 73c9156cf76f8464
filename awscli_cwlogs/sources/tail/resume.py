"""A tailer's first look at its files: where the positions the state file saved are now (the
live file, the other matches and the rotated siblings, plain or compressed), and where each file
is read from, as rotation.plan_start decides."""
import os

from awscli_cwlogs.sources.tail.compressed import compressed_fingerprint
from awscli_cwlogs.sources.tail.listing import file_info, sibling_paths
from awscli_cwlogs.sources.tail.rotation import MTIME_SLACK_S, FileInfo, is_compressed, live_start_offset, plan_start
from awscli_cwlogs.sources.tail.tracked import fingerprint_of, read_head


class Resumption:
    """For one tailer: ``saved`` (key -> Position) and ``has_state`` as the state file had them at
    start; ``new_origin``: its files appeared while the agent runs. ``deferred``: the live file
    was too short to fingerprint at start, so where it is read from waits for its first lines."""

    def __init__(self, stream, saved, has_state, new_origin, files, rotation):
        self._stream, self._saved, self._has_state, self._new_origin = stream, saved, has_state, new_origin
        self._files, self._rotation = files, rotation
        self._live = None
        self._deferred_size = None  # the live file's size at start, until it can be fingerprinted

    @property
    def deferred(self):
        return self._deferred_size is not None

    def start(self, tracked_live, live, matches):
        """Begins the live file (``tracked_live``, listed as ``live`` among ``matches``) and the
        rotated files that hold saved positions, each where plan_start says."""
        self._live = tracked_live
        lines = self._stream.options.file_fingerprint_lines
        tracked_live.fingerprint, tracked_live.head = read_head(tracked_live.fd, lines)
        found = candidates(live, matches, tracked_live.key, self._saved, self._new_origin, lines)
        plan = plan_start(tracked_live.info(live.size), found, self._saved, self._has_state,
                          self._stream.initial_position, self._new_origin)
        for info, offset in plan:
            if is_compressed(info.path):
                self._rotation.finish_compressed(info, offset, tracked_live.file_name)
            elif info.inode == tracked_live.inode and tracked_live.fingerprint is None:
                self._deferred_size = live.size  # decided once its first lines are complete
            elif info.inode == tracked_live.inode:
                self._files.begin(tracked_live, offset)
            else:
                self._rotation.finish_rotated(info, offset, tracked_live.file_name)

    def first_offset(self, tracked):
        """Where a file starts to be read once it can be fingerprinted: the live file found at start
        too short for that, where the state file says; any other file, which appeared while the
        agent runs, from its start (all of it is new)."""
        if tracked is not self._live or self._deferred_size is None:
            return 0
        at_start, self._deferred_size = tracked.info(self._deferred_size), None
        return live_start_offset(at_start, self._saved, self._has_state, self._stream.initial_position)


def candidates(live, matches, live_key, saved, new_origin, fingerprint_lines):
    """[FileInfo] besides the ``live`` one (a FileInfo of ``matches``, the glob's): files that may
    hold a position ``saved`` (key -> Position) at start. A file older than the last accepted batch
    is left out unless the state file knew its inode or the live file may have been copy-truncated;
    ``new_origin``: the files appeared while the agent runs, so every sibling is new too."""
    saved_inodes = {inode for (_, inode) in saved}
    copies_matter = live.inode in saved_inodes  # the live file may have been copy-truncated
    last_accepted = max((p.updated for p in saved.values()),
                        default=float("-inf" if new_origin else "inf")) - MTIME_SLACK_S
    paths = {m.path for m in matches if m.inode != live.inode} | set(sibling_paths(live.path))
    found = []
    for info in filter(None, map(file_info, sorted(paths))):
        if info.inode == live.inode or (info.inode not in saved_inodes and not copies_matter
                                        and info.mtime < last_accepted):
            continue
        fingerprint = fingerprint_of(info.path, fingerprint_lines)
        if fingerprint is not None:
            found.append(FileInfo(info.path, info.inode, info.size, info.mtime, fingerprint))
    orphaned = set(saved) - {live_key} - {c.key for c in found}
    for path in sorted(sibling_paths(live.path, compressed=True)):
        try:
            info = os.stat(path)
        except OSError:
            continue
        if not orphaned and not copies_matter and info.st_mtime < last_accepted:
            continue
        fingerprint = compressed_fingerprint(path, fingerprint_lines)[0]
        if fingerprint is not None:
            found.append(FileInfo(path, info.st_ino, None, info.st_mtime, fingerprint))
    return found
