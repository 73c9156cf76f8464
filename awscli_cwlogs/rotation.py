"""Pure decisions about which files to read and from where; the tailer does the I/O.

A file is known by its key: the fingerprint of its first lines (file_fingerprint_lines) and
its inode. The fingerprint survives renames; the inode tells apart two files that begin with
the same line (a header, a banner), which a fingerprint alone would confuse.
"""
import os
from dataclasses import dataclass

COMPRESSED_SUFFIXES = (".gz", ".zip", ".bz2", ".xz", ".zst", ".tar", ".rar", ".tgz", ".7z", ".lz4")


@dataclass(frozen=True)
class FileInfo:
    path: str
    inode: int
    size: int
    mtime: float
    fingerprint: str = None

    @property
    def key(self):
        return (self.fingerprint, self.inode)


def is_compressed(path):
    return os.path.basename(path).lower().endswith(COMPRESSED_SUFFIXES)


def newest(files):
    """The live file: the most recently modified match (by name when tied)."""
    return max(files, key=lambda f: (f.mtime, f.path), default=None)


def is_rotated_sibling(live_path, path):
    """app.log.1, app.log-20261122 and the like: same folder, name starting with the live name."""
    return (
        path != live_path
        and os.path.dirname(path) == os.path.dirname(live_path)
        and os.path.basename(path).startswith(os.path.basename(live_path))
    )


def plan_start(live, others, saved, has_state, initial_position):
    """Where to start reading when the agent starts: [(FileInfo, offset)], rotated files first.

    ``live`` and ``others`` (glob matches and rotated siblings) carry fingerprints; ``saved``
    maps keys to kvstore Positions of this stream.
    - A saved position found on another file (the live file was rotated while the agent was
      down) is finished from its offset before the live file is read.
    - A saved position whose file was truncated below it (copytruncate while down) is finished
      from the copy among the rotated siblings that has the same fingerprint.
    - The live file resumes at its saved offset; a new live file starts at 0 if the stream has
      state, else per initial_position.
    """
    plan = []
    by_key = {f.key: f for f in others if f.fingerprint is not None}
    for key, position in saved.items():
        if live is not None and key == live.key:
            if live.size < position.offset:  # truncated while we were away: look for the copy
                copy = _copy_of(live, others, position.offset)
                if copy is not None:
                    plan.append((copy, position.offset))
            continue
        rotated = by_key.get(key)
        if rotated is not None and rotated.size > position.offset:
            plan.append((rotated, position.offset))
    plan.sort(key=lambda item: (item[0].mtime, item[0].path))
    if live is not None:
        plan.append((live, live_start_offset(live, saved, has_state, initial_position)))
    return plan


def live_start_offset(live, saved, has_state, initial_position):
    position = saved.get(live.key)
    if position is not None:
        return position.offset if live.size >= position.offset else 0
    if not has_state and initial_position == "end_of_file":
        return live.size
    return 0


def _copy_of(live, others, offset):
    for other in others:
        if (other.fingerprint == live.fingerprint and other.inode != live.inode
                and other.size >= offset and is_rotated_sibling(live.path, other.path)):
            return other
    return None
