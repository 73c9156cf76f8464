"""What a stream section would read, from its files and the state file alone (for --check and
--status): which files the glob matches, which one is live, which are rotated copies still to
finish, which are skipped and why, and how many bytes are not shipped yet."""
import glob
import os
import stat
from dataclasses import dataclass

from awscli_cwlogs.sources.tail.compressed import (bytes_left, compressed_fingerprint, is_readable_compressed,
                                                    nothing_left)
from awscli_cwlogs.sources.tail.listing import has_live_file, names_after
from awscli_cwlogs.sources.tail.rotation import FileInfo, is_compressed, is_rotated_sibling, newest
from awscli_cwlogs.sources.tail.tracked import fingerprint_of

LIVE, ROTATED, SKIPPED = "live", "rotated", "skipped"


@dataclass
class FileState:
    path: str
    role: str  # LIVE, ROTATED or SKIPPED
    size: int = 0
    offset: int = None  # the saved position; None when the state file does not know the file
    behind: int = 0  # bytes not shipped yet
    note: str = ""


def survey(stream, positions, has_state):
    """[FileState] for a section's glob (docker, cri: one container's log, as ``stream.options.file``);
    ``positions`` as StateStore.positions() returns them."""
    files, readable = [], []
    by_key = {(p.fingerprint, p.inode): p for p in positions.values()}
    for path in sorted(glob.glob(stream.options.file)):
        info, skipped = _inspect(path)
        unfinished = _compressed_copy(path, stream, by_key) if is_readable_compressed(path) else []
        if unfinished:
            files += unfinished
        elif skipped:
            files.append(FileState(path, SKIPPED, note=skipped))
        else:
            readable.append(FileInfo(path, info.st_ino, info.st_size, info.st_mtime))
    live = newest(readable)
    followed = {live.path} if live else set()
    if stream.options.publish_all_matching:
        paths = {i.path for i in readable}
        followed = {path for path in paths if not has_live_file(path, paths)}
    for info in readable:
        key = (fingerprint_of(info.path, stream.options.file_fingerprint_lines), info.inode)
        saved = by_key.get(key)
        if info.path in followed:
            files.append(_live_state(info, key, saved, has_state, stream))
        elif saved is not None:
            files.append(FileState(info.path, ROTATED, info.size, saved.offset, max(info.size - saved.offset, 0),
                                   "rotated copy, finished from its saved position"))
        else:
            files.append(FileState(info.path, SKIPPED, info.size,
                                   note="an older match: only the newest file the glob matches is followed"))
    seen, listings = {f.path for f in files}, {}
    for path in sorted(followed):
        found = _rotated_siblings(path, stream, by_key, seen, listings)
        seen.update(f.path for f in found)
        files += found
    return files


def _live_state(info, key, saved, has_state, stream):
    lines = stream.options.file_fingerprint_lines
    if key[0] is None:
        return FileState(info.path, LIVE, info.size, None, 0,
                         f"waiting for its first {lines[1]} line(s) to be complete before reading it")
    if saved is not None:
        return FileState(info.path, LIVE, info.size, saved.offset, max(info.size - saved.offset, 0))
    if not has_state and stream.initial_position == "end_of_file":
        return FileState(info.path, LIVE, info.size, None, 0, "not read yet: starts at its end (initial_position)")
    return FileState(info.path, LIVE, info.size, None, info.size, "not read yet: read from its start")


def _rotated_siblings(live_path, stream, by_key, seen, listings):
    """Files next to the live one (app.log.1, ...) the state file holds an unfinished position for;
    ``listings`` keeps each folder's sorted names for the next live file in it."""
    found = []
    folder, live_name = os.path.split(live_path)
    folder = folder or "."
    if folder not in listings:
        try:
            listings[folder] = sorted(os.listdir(folder))
        except OSError:
            listings[folder] = []
    names = names_after(listings[folder], live_name)
    for name in names:
        path = os.path.join(folder, name)
        if path in seen or not is_rotated_sibling(live_path, path):
            continue
        if is_readable_compressed(path):
            found += _compressed_copy(path, stream, by_key)
            continue
        info, skipped = _inspect(path)
        if skipped:
            continue
        saved = by_key.get((fingerprint_of(path, stream.options.file_fingerprint_lines), info.st_ino))
        if saved is not None and saved.offset < info.st_size:
            found.append(FileState(path, ROTATED, info.st_size, saved.offset, info.st_size - saved.offset,
                                   "rotated copy, finished from its saved position"))
    return found


def _compressed_copy(path, stream, by_key):
    """A compressed sibling that holds a saved position the agent has not finished (logrotate's
    compress while the agent was down)."""
    fingerprint = compressed_fingerprint(path, stream.options.file_fingerprint_lines)[0]
    for (saved_fingerprint, _), saved in by_key.items():
        if saved_fingerprint == fingerprint and not nothing_left(path, saved.offset):
            left = bytes_left(path, saved.offset)
            return [FileState(path, ROTATED, 0, saved.offset, left or 0,
                              "compressed rotated copy, finished from its saved position"
                              + ("" if left is not None else " (bytes left unknown until read)"))]
    return []


def _inspect(path):
    """(its stat, "") for a file the agent would read; (None, why not) for any other."""
    try:
        info = os.stat(path)
    except OSError as error:
        return None, f"cannot stat: {error.strerror}"
    if not stat.S_ISREG(info.st_mode):
        return None, "not a regular file"
    if is_compressed(path):
        return None, "compressed: never followed as a live file"
    if not os.access(path, os.R_OK):
        return None, "cannot read: permission denied"
    return info, ""


def file_lines(files, indent):
    """--check's line for each FileState: its role, where the saved position stands, what is behind."""
    lines = []
    for f in files:
        if f.role == SKIPPED:
            lines.append(f"{indent}{f.role:8s} {f.path}: {f.note}")
            continue
        where = f"saved position {f.offset:,} of {f.size:,} bytes" if f.offset is not None else f"{f.size:,} bytes"
        lines.append(f"{indent}{f.role:8s} {f.path}: {where}, {f.behind:,} not shipped yet"
                     + (f"; {f.note}" if f.note else ""))
    return lines
