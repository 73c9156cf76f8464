"""Reads awslogs.conf (and --additional-configs-dir) into validated, immutable settings.

Every problem stops the agent before it starts, as one line naming file, section and key.
"""
import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from configobj import ConfigObj, ConfigObjError

from awscli_cwlogs.hostmetrics import KINDS as HOST_METRICS, psutil_missing
from awscli_cwlogs.names import check_name, resolve_name
from awscli_cwlogs.timestamps import TimestampFormat

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)
MAX_BATCH_COUNT = 10_000
MAX_BATCH_SIZE = 1_048_576
DEFAULT_MULTI_LINE_START = r"^[^\s]"
DATETIME_FORMAT_PATTERN = "{datetime_format}"
_SKIPPED_SUFFIXES = ("~", ".swp", ".bak")


class ConfigError(Exception):
    """One line: where (file, section, key) and why."""


@dataclass(frozen=True)
class GeneralConfig:
    state_file: str
    logging_config_file: str = None
    use_gzip_http_content_encoding: bool = True
    queue_size: int = 10
    metrics_log_group: str = None  # the agent's own metrics, as embedded-metric-format records, go there
    metrics_namespace: str = "AwsLogsPush"
    metrics_interval: int = 60  # seconds
    metrics_textfile: str = None  # the same figures for node_exporter's textfile collector
    host_metrics: tuple = ()  # cpu, memory, disk, swap, load: the host's, as records to metrics_log_group
    disk_paths: tuple = ("/",)  # the mount points the disk metrics are for


@dataclass(frozen=True)
class StreamConfig:
    section: str
    log_group_name: str
    log_stream_name: str
    file: str = None  # a glob; None for stdin
    datetime_format: str = None
    time_zone: str = "LOCAL"
    initial_position: str = "start_of_file"
    encoding: str = "utf_8"
    buffer_duration: int = 5000
    batch_count: int = MAX_BATCH_COUNT
    batch_size: int = MAX_BATCH_SIZE
    multi_line_start_pattern: str = DEFAULT_MULTI_LINE_START
    file_fingerprint_lines: tuple = (1, 1)
    retention_in_days: int = None
    publish_all_matching: bool = False  # follow every file the glob matches, not only the newest
    include_patterns: tuple = ()  # regular expressions; an event is sent if one matches (or none are given)
    exclude_patterns: tuple = ()  # ... and none of these does
    source: str = "file"  # file, journald, docker or cri
    units: tuple = ()  # journald: unit names or globs; () = the whole journal
    priority: str = None  # journald: the least important level kept, as journalctl -p takes it
    matches: tuple = ()  # journald: FIELD=value matches (and "+"), with journalctl's meaning
    journal_directory: str = None  # journald: read this folder's journal files
    message_format: str = "short"  # journald: short, message or json
    docker_root: str = "/var/lib/docker"  # docker: the engine's data root
    container_streams: tuple = ("stdout", "stderr")  # docker, cri: the output streams shipped
    log_group_class: str = "standard"  # when the agent creates the group: standard or infrequent_access
    kms_key_id: str = None  # when the agent creates the group: the KMS key ARN it is encrypted with
    log_group_tags: tuple = ()  # when the agent creates the group: (key, value) pairs
    defined_in: str = ""


@dataclass(frozen=True)
class AgentConfig:
    general: GeneralConfig
    streams: tuple


# Value parsers: text -> value, ValueError with the reason.

def _text(value):
    if not value:
        raise ValueError("is empty")
    return value


def _positive(low, high):
    def parse(value):
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"{number} is outside {low}..{high}")
        return number
    return parse


def _boolean(value):
    lowered = value.lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"'{value}' is not true or false")


def _choice(*choices):
    def parse(value):
        if value.lower() not in choices:
            raise ValueError(f"'{value}' is not one of {', '.join(choices)}")
        return value.lower()
    return parse


def _time_zone(value):
    if value.upper() not in ("LOCAL", "UTC"):
        raise ValueError(f"'{value}' is not LOCAL or UTC")
    return value.upper()


def _encoding(value):
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"'{value}' is not an encoding Python knows") from None
    return value


def _datetime_format(value):
    TimestampFormat(value)  # raises ValueError naming the unsupported directive
    return value


def _regex(value):
    if value == DATETIME_FORMAT_PATTERN:
        return value
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"'{value}' is not a valid regular expression: {error}") from None
    return value


def _patterns(value):
    """One regular expression, or several in a triple-quoted value, one per line."""
    patterns = tuple(line.strip() for line in value.splitlines() if line.strip())
    if not patterns:
        raise ValueError("is empty")
    for pattern in patterns:
        _regex(pattern)
    return patterns


def _fingerprint_lines(value):
    found = re.fullmatch(r"(\d+)(?:-(\d+))?", value)
    if not found:
        raise ValueError(f"'{value}' is not N or N-M (line numbers from 1)")
    first = int(found.group(1))
    last = int(found.group(2) or first)
    if first < 1 or last < first:
        raise ValueError(f"'{value}' is not N or N-M with 1 <= N <= M")
    return (first, last)


def _retention(value):
    days = int(value)
    if days not in RETENTION_DAYS:
        raise ValueError(f"{days} is not a retention AWS allows ({', '.join(map(str, RETENTION_DAYS))})")
    return days


PRIORITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_PRIORITY_ALIASES = {"error": "err", "warn": "warning", "critical": "crit", "emergency": "emerg"}


def _priority(value):
    """A level by name (emerg ... debug) or number 0-7, as a number journalctl -p takes."""
    lowered = _PRIORITY_ALIASES.get(value.lower(), value.lower())
    if lowered in PRIORITIES:
        return str(PRIORITIES.index(lowered))
    if lowered.isdigit() and int(lowered) < len(PRIORITIES):
        return lowered
    raise ValueError(f"'{value}' is not a priority ({', '.join(PRIORITIES)}, or 0-7)")


def _words(value):
    """Comma- or space-separated items (units, paths, kinds), at least one."""
    words = tuple(word for word in re.split(r"[\s,]+", value) if word)
    if not words:
        raise ValueError("is empty")
    return words


def _matches(value):
    """FIELD=value terms separated by spaces, and + between groups, as journalctl takes them."""
    terms = tuple(value.split())
    for term in terms:
        if term != "+" and not re.fullmatch(r"[A-Z0-9_]+=.*", term):
            raise ValueError(f"'{term}' is not FIELD=value (a journal field name: A-Z 0-9 _) or +")
    if not terms:
        raise ValueError("is empty")
    return terms


_TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*")  # AWS's tag characters: letters, digits, spaces, _ . : / = + - @


def _tags(value):
    """key=value, ... as AWS accepts tags: keys 1-128 characters not starting with aws:, values
    up to 256, at most 50."""
    tags = []
    for item in filter(None, (item.strip() for item in value.split(","))):
        key, equals, tag_value = (part.strip() for part in item.partition("="))
        if not equals or not key:
            raise ValueError(f"'{item}' is not key=value")
        if len(key) > 128 or len(tag_value) > 256 or not _TAG_TEXT.fullmatch(key) or not _TAG_TEXT.fullmatch(tag_value):
            raise ValueError(f"'{item}': keys are 1-128 and values 0-256 of letters, digits, spaces and _ . : / = + - @")
        if key.lower().startswith("aws:"):
            raise ValueError(f"'{key}': keys starting with aws: are AWS's own")
        tags.append((key, tag_value))
    if not tags or len(tags) > 50 or len({key for key, _ in tags}) != len(tags):
        raise ValueError("give 1-50 tags, each key once")
    return tuple(tags)


def _kms_key(value):
    if not re.fullmatch(r"arn:aws[\w-]*:kms:[\w-]+:\d{12}:key/[\w-]+", value):
        raise ValueError(f"'{value}' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")
    return value


def _log_group(value):
    return check_name("log_group_name", value)


def _host_metrics(value):
    kinds = _words(value)
    wrong = [kind for kind in kinds if kind not in HOST_METRICS]
    if wrong:
        raise ValueError(f"'{wrong[0]}' is not one of {', '.join(HOST_METRICS)}")
    missing = psutil_missing()
    if missing:
        raise ValueError(missing)
    return kinds


def _container_streams(value):
    streams = tuple(stream for stream in re.split(r"[\s,]+", value) if stream)
    if not streams or any(stream not in ("stdout", "stderr") for stream in streams):
        raise ValueError(f"'{value}' is not stdout, stderr or both")
    return streams


GENERAL_KEYS = {
    "state_file": _text,
    "logging_config_file": _text,
    "use_gzip_http_content_encoding": _boolean,
    "queue_size": _positive(1, 1000),
    "metrics_log_group": _log_group,
    "metrics_namespace": _text,
    "metrics_interval": _positive(1, 86_400),
    "metrics_textfile": _text,
    "host_metrics": _host_metrics,
    "disk_paths": _words,
}
STREAM_KEYS = {
    "file": _text,
    "log_group_name": _text,
    "log_stream_name": _text,
    "datetime_format": _datetime_format,
    "time_zone": _time_zone,
    "initial_position": _choice("start_of_file", "end_of_file"),
    "encoding": _encoding,
    "buffer_duration": _positive(100, 3_600_000),
    "batch_count": _positive(1, MAX_BATCH_COUNT),
    "batch_size": _positive(1, MAX_BATCH_SIZE),
    "multi_line_start_pattern": _regex,
    "file_fingerprint_lines": _fingerprint_lines,
    "retention_in_days": _retention,
    "include_patterns": _patterns,
    "exclude_patterns": _patterns,
    "publish_all_matching": _boolean,
    "source": _choice("file", "journald", "docker", "cri"),
    "docker_root": _text,
    "log_group_class": _choice("standard", "infrequent_access"),
    "kms_key_id": _kms_key,
    "log_group_tags": _tags,
    "container_streams": _container_streams,
    "units": _words,
    "priority": _priority,
    "matches": _matches,
    "journal_directory": _text,
    "message_format": _choice("short", "message", "json"),
}
REQUIRED_STREAM_KEYS = ("file", "log_group_name", "log_stream_name")
_READS_FILES = ("file", "docker", "cri")
ONLY_FOR = {  # key -> the source kinds it applies to
    "file": ("file", "cri"), "datetime_format": ("file",), "time_zone": ("file",), "encoding": ("file",),
    "publish_all_matching": ("file",), "multi_line_start_pattern": _READS_FILES,
    "file_fingerprint_lines": _READS_FILES, **{key: ("journald",) for key in (
        "units", "priority", "matches", "journal_directory", "message_format")},
    "docker_root": ("docker",), "container_streams": ("docker", "cri"),
}
CONTAINER_DEFAULTS = {  # logspout-cloudwatch's names: group = the host, stream = the container
    "docker": {"log_group_name": "{hostname}", "log_stream_name": "{container_name}"},
    "cri": {"log_group_name": "{hostname}", "log_stream_name": "{namespace}/{pod}/{container_name}",
            "file": "/var/log/containers/*.log"},
}


def load_config(config_file, additional_dir=None, resolve_placeholder=None):
    """The agent's settings; ConfigError on the first problem found."""
    main = Path(config_file)
    parsed = _read(main)
    general = parsed.pop("general", {})
    sections = {name: (main, values) for name, values in parsed.items()}
    for extra in _additional_files(additional_dir):
        for name, values in _read(extra).items():
            if name == "general":
                raise ConfigError(f"{extra}: [general] belongs in the main config file {main}")
            if name in sections:
                raise ConfigError(f"{extra}: [{name}] is already defined in {sections[name][0]}")
            sections[name] = (extra, values)
    general_config = _general(main, general)
    streams = tuple(
        _stream(source, name, values, resolve_placeholder) for name, (source, values) in sections.items()
    )
    if not streams:
        raise ConfigError(f"{main}: no stream sections; add one with file, log_group_name and log_stream_name")
    return AgentConfig(general_config, streams)


def _read(path):
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        parsed = ConfigObj(str(path), list_values=False, interpolation=False, file_error=True,
                           encoding="utf-8")
    except ConfigObjError as error:
        first = (getattr(error, "errors", None) or [error])[0]  # several errors: the first, on one line
        raise ConfigError(f"{path}: {first}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    for name in parsed.scalars:
        raise ConfigError(f"{path}: {name} is outside any [section]")
    sections = {}
    for name in parsed.sections:
        section = parsed[name]
        if section.sections:
            raise ConfigError(f"{path}: [{name}] has a nested section [[{section.sections[0]}]]")
        sections[name] = {key: _unquote(section[key]) for key in section.scalars}
    return sections


def _unquote(value):
    """configobj keeps quotes when list_values is off; quoting is how a value keeps a '#'."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _additional_files(directory):
    if directory is None:
        return []
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: --additional-configs-dir is not a directory")
    return [
        path for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(_SKIPPED_SUFFIXES)
    ]


def _parse_values(source, section, values, keys):
    parsed = {}
    for key, text in values.items():
        if key not in keys:
            raise ConfigError(f"{source}: [{section}] {key}: unknown key; known keys are {', '.join(keys)}")
        try:
            parsed[key] = keys[key](text)
        except ValueError as error:
            reason = str(error) if str(error) and "invalid literal" not in str(error) else f"'{text}' is not a number"
            raise ConfigError(f"{source}: [{section}] {key}: {reason}") from None
    return parsed


def _general(source, values):
    parsed = _parse_values(source, "general", values, GENERAL_KEYS)
    base = Path(source).resolve().parent
    for key in ("state_file", "logging_config_file", "metrics_textfile"):
        if key in parsed:
            parsed[key] = str(base / parsed[key])  # relative paths: next to the config file
    parsed.setdefault("state_file", str(base / "watchstate"))
    if parsed.get("host_metrics") and not parsed.get("metrics_log_group"):
        raise ConfigError(f"{source}: [general] host_metrics: needs metrics_log_group (the records go there)")
    return GeneralConfig(**parsed)


def _stream(source, section, values, resolve_placeholder, required=REQUIRED_STREAM_KEYS):
    parsed = _parse_values(source, section, values, STREAM_KEYS)
    kind = parsed.get("source", "file")
    for key, kinds in ONLY_FOR.items():
        if key in parsed and kind not in kinds:
            owners = " or ".join("files" if owner == "file" else f"source = {owner}" for owner in kinds)
            raise ConfigError(f"{source}: [{section}] {key}: only for {owners}; this section has source = {kind}")
    if kind != "file":
        required = tuple(key for key in required if key != "file")
    for key, value in CONTAINER_DEFAULTS.get(kind, {}).items():
        parsed.setdefault(key, value)
    for key in required:
        if key not in parsed:
            raise ConfigError(f"{source}: [{section}] {key}: missing (required)")
    if parsed.get("multi_line_start_pattern") == DATETIME_FORMAT_PATTERN and "datetime_format" not in parsed:
        raise ConfigError(
            f"{source}: [{section}] multi_line_start_pattern: {{datetime_format}} needs datetime_format to be set"
        )
    for key in ("log_group_name", "log_stream_name"):
        try:
            parsed[key] = resolve_name(key, parsed[key], kind, resolve_placeholder)
        except ValueError as error:
            raise ConfigError(f"{source}: [{section}] {key}: {error}") from None
    return StreamConfig(section=section, defined_in=str(source), **parsed)
