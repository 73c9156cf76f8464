"""What a folder holds, as the tailer needs it: a glob's regular files and a live file's rotated siblings."""
import bisect
import os
import stat

from awscli_cwlogs.sources.tail.compressed import is_readable_compressed
from awscli_cwlogs.sources.tail.rotation import FileInfo, is_compressed, is_rotated_sibling


def file_info(path):
    """FileInfo of a regular, uncompressed file; None for anything else or a file gone meanwhile."""
    if is_compressed(path):
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return FileInfo(path, info.st_ino, info.st_size, info.st_mtime) if stat.S_ISREG(info.st_mode) else None


def sibling_paths(live_path, compressed=False):
    """Files next to the live one whose names start with its name (app.log.1, ...): the
    uncompressed ones, or with ``compressed`` the ones compressed in a format we can read."""
    folder = os.path.dirname(live_path) or "."
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    live_name = os.path.basename(live_path)
    paths = [os.path.join(folder, name) for name in names if name.startswith(live_name) and name != live_name]
    wanted = is_readable_compressed if compressed else (lambda path: not is_compressed(path))
    return [path for path in paths if is_rotated_sibling(live_path, path) and wanted(path)]


def find_inode(paths, inode):
    """The path among ``paths`` whose file has ``inode``, or None."""
    for path in paths:
        try:
            if os.stat(path).st_ino == inode:
                return path
        except OSError:
            continue
    return None


def has_live_file(path, listed):
    """Whether a shorter name in ``listed`` (a set of paths) starts ``path``'s name (app.log for
    app.log.1): looked up by prefix, as comparing every pair costs a million steps with 1,000 files."""
    folder, name = os.path.split(path)
    return any(os.path.join(folder, name[:end]) in listed for end in range(1, len(name)))


def names_after(sorted_names, name):
    """The names in ``sorted_names`` that start with ``name`` and are longer: its rotated siblings'
    names, found by bisection."""
    found = []
    for other in sorted_names[bisect.bisect_right(sorted_names, name):]:
        if not other.startswith(name):
            break
        found.append(other)
    return found
