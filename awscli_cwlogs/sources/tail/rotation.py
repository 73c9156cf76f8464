"""Pure decisions about which files to read and from where; the tailer does the I/O.

A file is known by its key: the fingerprint of its first lines (file_fingerprint_lines) and
its inode. The fingerprint survives renames; the inode tells apart two files that begin with
the same line (a header, a banner), which a fingerprint alone would confuse.
"""
import os
from dataclasses import dataclass, replace

MTIME_SLACK_S = 2.0  # file times and our clock may differ a little
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


def plan_start(live, others, saved, has_state, initial_position, new_origin=False):
    """Where to start reading when the agent starts: [(FileInfo, offset)], rotated files first.

    ``live`` and ``others`` (glob matches and rotated siblings) carry fingerprints; ``saved``
    maps keys to kvstore Positions of this stream.
    - A saved position found on another file (the live file was rotated while the agent was
      down) is finished from its offset before the live file is read.
    - A saved position whose file was truncated below it (copytruncate while down) is finished
      from the copy among the rotated siblings that has the same fingerprint.
    - A rotated sibling with no saved position, modified since the stream's last accepted batch,
      was written and rotated away while the agent was down: it is read from 0, unless it is a
      copy of a known file (same fingerprint as a saved position).
    - A saved position whose file exists only compressed (logrotate's ``compress``) is finished
      from the newest compressed sibling with its fingerprint; that copy carries the saved key,
      so its decompressed offsets continue the same row. ``size`` of a compressed candidate is
      None (unknown until it is read).
    - ``new_origin`` (a container that appeared while the agent runs): all of it is new, so its
      rotated siblings still on disk are read whole first, oldest first.
    - The live file resumes at its saved offset; a new live file starts at 0 if the stream has
      state, else per initial_position.
    """
    by_key = {f.key: f for f in others if f.fingerprint is not None and not is_compressed(f.path)}
    packed = sorted((f for f in others if f.fingerprint is not None and is_compressed(f.path)),
                    key=lambda f: (f.mtime, f.path), reverse=True)
    plan = _saved_positions_elsewhere(live, others, saved, by_key, packed)
    if saved and live is not None:
        last_accepted = max(position.updated for position in saved.values())
        known = {fingerprint for fingerprint, _ in saved}
        planned = {info.path for info, _ in plan}
        plan += [(other, 0) for other in [*by_key.values(), *packed]
                 if other.key not in saved and other.path not in planned and other.fingerprint not in known
                 and other.mtime >= last_accepted - MTIME_SLACK_S and is_rotated_sibling(live.path, other.path)]
    if new_origin and not saved and live is not None:
        plan += [(other, 0) for other in [*by_key.values(), *packed] if is_rotated_sibling(live.path, other.path)]
    plan.sort(key=lambda item: (item[0].mtime, item[0].path))
    if live is not None:
        plan.append((live, live_start_offset(live, saved, has_state, initial_position)))
    return plan


def _saved_positions_elsewhere(live, others, saved, by_key, packed):
    """[(FileInfo, offset)]: each saved position found on another file than the live one (rotated,
    plain by its key in ``by_key`` or compressed in ``packed``, newest first), or on the copy of
    the live file truncated below it."""
    plan = []
    for key, position in saved.items():
        if live is not None and key == live.key:
            if live.size < position.offset:  # truncated while we were away: look for the copy
                copy = _copy_of(live, others, position.offset) or next(
                    (f for f in packed if f.fingerprint == live.fingerprint), None)  # keeps its own key
                if copy is not None:
                    plan.append((copy, position.offset))
            continue
        rotated = by_key.get(key)
        if rotated is not None:
            if rotated.size > position.offset:
                plan.append((rotated, position.offset))
            continue
        planned = {info.path for info, _ in plan}
        copy = next((f for f in packed if f.fingerprint == key[0] and f.path not in planned), None)
        if copy is not None:
            plan.append((replace(copy, inode=key[1]), position.offset))
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
        if (other.fingerprint == live.fingerprint and not is_compressed(other.path) and other.inode != live.inode
                and other.size >= offset and is_rotated_sibling(live.path, other.path)):
            return other
    return None
