"""The keys of every kind that follows files (file, docker, cri): their validators, and the
options they share."""
from dataclasses import dataclass, replace

from awscli_cwlogs.config import values as parse
from awscli_cwlogs.lines.events import LINE_FORMAT_KEYS, LineFormat

LINE_KEYS = {"multi_line_start_pattern": parse.regex, "file_fingerprint_lines": parse.fingerprint_lines}
# the file kind's (and stdin mode's): how lines are decoded and timed; docker and cri records carry their time
DECODING_KEYS = {"datetime_format": parse.datetime_format, "time_zone": parse.time_zone, "encoding": parse.encoding,
                 "timestamp_pattern": parse.regex}


@dataclass(frozen=True)
class FollowedFiles:
    """``file``: a glob (for docker and cri, a container's log, set per container);
    ``file_fingerprint_lines``: the first lines that tell a file from another; ``publish_all_matching``:
    every match followed, not only the newest; ``lines``: how their lines become events."""
    file: str = None
    file_fingerprint_lines: tuple = (1, 1)
    publish_all_matching: bool = False
    lines: LineFormat = LineFormat()


def options_of(options_class, values):
    """An ``options_class`` (FollowedFiles or one that adds keys) of a section's parsed keys of its
    kind, those of the LineFormat gathered into ``lines``."""
    lines = {key: value for key, value in values.items() if key in LINE_FORMAT_KEYS}
    own = {key: value for key, value in values.items() if key not in LINE_FORMAT_KEYS}
    return options_class(**own, lines=LineFormat(**lines))


def with_file(stream, path):
    """The section's StreamConfig following ``path`` alone (one match of publish_all_matching, one
    container's log)."""
    return replace(stream, options=replace(stream.options, file=path))
