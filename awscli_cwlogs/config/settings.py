"""Reads awslogs.conf (and --additional-configs-dir) into validated, immutable settings.

Every problem stops the agent before it starts, as one line naming file, section and key.
"""
from dataclasses import dataclass
from pathlib import Path

from awscli_cwlogs.config.names import resolve_name
from awscli_cwlogs.config import values as parse
from awscli_cwlogs.config.documents import ConfigError, folder_files, read_file, sections_of
from awscli_cwlogs.limits import MAX_BATCH_COUNT, MAX_BATCH_SIZE
from awscli_cwlogs.lines.events import DATETIME_FORMAT_PATTERN
from awscli_cwlogs.lines.records import RECORD_KEYS, RecordFormat

LOG_GROUP_CLASSES = ("standard", "infrequent_access", "delivery")
# us-east-1 list prices, 2026 (delivery: the vended-logs price of the first 10 TB a month, as infrequent access)
PRICE_PER_GB = (("delivery", 0.25), ("infrequent_access", 0.25), ("standard", 0.50))


@dataclass(frozen=True)
class GeneralConfig:
    state_file: str
    logging_config_file: str = None
    use_gzip_http_content_encoding: bool = True
    queue_size: int = 10
    config_refresh: int = 300  # seconds between looks at the SSM parameters of an ssm: configuration
    max_open_files: int = None  # followed files open at once; None: the descriptor limit less a reserve
    metrics_log_group: str = None  # the agent's own metrics, as embedded-metric-format records, go there
    metrics_namespace: str = "AwsLogsPush"
    metrics_interval: int = 60  # seconds
    metrics_textfile: str = None  # the same figures for node_exporter's textfile collector
    host_metrics: tuple = ()  # cpu, memory, disk, swap, load: the host's, as records to metrics_log_group
    disk_paths: tuple = ("/",)  # the mount points the disk metrics are for
    price_per_gb: tuple = PRICE_PER_GB  # (class, US dollars per GB ingested), for the cost --status shows


@dataclass(frozen=True)
class StreamConfig:
    """A stream section: the keys of every kind, and ``options``, the kind's own (a frozen
    dataclass its SourceKind makes from its keys: sources/<kind>/)."""
    section: str
    log_group_name: str
    log_stream_name: str
    source: str = "file"  # the kind: file, journald, docker or cri (sources.KINDS); stdin mode has none
    options: object = None
    initial_position: str = "start_of_file"
    buffer_duration: int = 5000
    batch_count: int = MAX_BATCH_COUNT
    batch_size: int = MAX_BATCH_SIZE
    retention_in_days: int = None
    include_patterns: tuple = ()  # regular expressions; an event is sent if one matches (or none are given)
    exclude_patterns: tuple = ()  # ... and none of these does
    log_group_class: str = "standard"  # when the agent creates the group: standard, infrequent_access or delivery
    kms_key_id: str = None  # when the agent creates the group: the KMS key ARN it is encrypted with
    deletion_protection: bool = False  # when the agent creates the group: no deletion until it is turned off
    log_group_tags: tuple = ()  # when the agent creates the group: (key, value) pairs
    profile: str = None  # sign as this profile of the AWS config file instead of the agent's own credentials
    role_arn: str = None  # sign with this role, assumed with the agent's (or the profile's) credentials
    external_id: str = None  # with role_arn: the external id the role's trust policy asks for
    role_session_name: str = None  # with role_arn: the name in CloudTrail (default aws-logs-push-HOST)
    record: RecordFormat = RecordFormat()  # structured lines and masking (lines/records.py)
    max_destinations: int = 100  # log streams (and groups) {json:...} names may open per day
    defined_in: str = ""


@dataclass(frozen=True)
class AgentConfig:
    general: GeneralConfig
    streams: tuple


GENERAL_KEYS = {
    "state_file": parse.text,
    "logging_config_file": parse.text,
    "use_gzip_http_content_encoding": parse.boolean,
    "queue_size": parse.positive(1, 1000),
    "max_open_files": parse.positive(16, 1_000_000),
    "config_refresh": parse.positive(1, 86_400),
    "metrics_log_group": parse.log_group,
    "metrics_namespace": parse.text,
    "metrics_interval": parse.positive(1, 86_400),
    "metrics_textfile": parse.text,
    "host_metrics": parse.host_metrics,
    "disk_paths": parse.words,
    "price_per_gb": parse.prices,
}
COMMON_STREAM_KEYS = {  # the keys of every kind; each kind adds its own (sources/*/kind.py)
    "log_group_name": parse.text,
    "log_stream_name": parse.text,
    "initial_position": parse.choice("start_of_file", "end_of_file"),
    "buffer_duration": parse.positive(100, 3_600_000),
    "batch_count": parse.positive(1, MAX_BATCH_COUNT),
    "batch_size": parse.positive(1, MAX_BATCH_SIZE),
    "retention_in_days": parse.retention,
    "include_patterns": parse.patterns,
    "exclude_patterns": parse.patterns,
    "log_group_class": parse.choice(*LOG_GROUP_CLASSES),
    "kms_key_id": parse.kms_key,
    "deletion_protection": parse.boolean,
    "log_group_tags": parse.tags,
    "profile": parse.text,
    "role_arn": parse.role_arn,
    "external_id": parse.external_id,
    "role_session_name": parse.role_session_name,
    "log_format": parse.choice("text", "json"),
    "timestamp_key": parse.text,
    "mask_detectors": parse.detectors,
    "mask_patterns": parse.patterns,
    "mask_fields": parse.words,
    "drop_fields": parse.words,
    "mask_text": str,
    "max_destinations": parse.positive(1, 100_000),
}
REQUIRED_STREAM_KEYS = ("file", "log_group_name", "log_stream_name")


def stream_keys(kinds):
    """Every key a stream section may have, with its parser: the common ones, ``source`` (one of
    ``kinds``, the SourceKinds by name) and each kind's own."""
    common = list(COMMON_STREAM_KEYS.items())
    at = [key for key, _ in common].index("exclude_patterns") + 1  # where the error's list of known keys has it
    return {**dict(common[:at]), "source": parse.choice(*kinds), **dict(common[at:]),
            **{key: check for kind in kinds.values() for key, check in kind.keys.items()}}


def only_for(kinds):
    """Each kind-specific key -> the names of the kinds that take it."""
    return {key: tuple(name for name, kind in kinds.items() if key in kind.keys)
            for kind in kinds.values() for key in kind.keys}


def load_config(config_file, additional_dir=None, resolve_placeholder=None, *, kinds):
    """The agent's settings from local files; ConfigError on the first problem found. ``kinds``:
    the SourceKinds by name (sources.KINDS), which own their keys: the configuration is read
    below the sources and asks them."""
    extras = folder_files(additional_dir) if additional_dir is not None else []
    return load_documents(read_file(config_file), extras, kinds, resolve_placeholder,
                          Path(config_file).resolve().parent)


def load_documents(main, extras, kinds, resolve_placeholder=None, base=None):
    """The agent's settings from the main Document and the additional ones (in their order, as the
    files of a folder); relative paths of [general] are taken from ``base``."""
    parsed = sections_of(main)
    general = parsed.pop("general", {})
    sections = {name: (main, values) for name, values in parsed.items()}
    for extra in extras:
        for name, values in sections_of(extra).items():
            if name == "general":
                raise ConfigError(f"{extra.label}: [general] belongs in the main configuration {main.source}")
            if name in sections:
                raise ConfigError(f"{extra.label}: [{name}] is already defined in {sections[name][0].source}")
            sections[name] = (extra, values)
    general_config = _general(main, general, Path(base) if base else Path.cwd())
    streams = tuple(
        _stream(source, name, values, resolve_placeholder, kinds) for name, (source, values) in sections.items()
    )
    if not streams:
        raise ConfigError(f"{main.label}: no stream sections; add one with file, log_group_name and log_stream_name")
    return AgentConfig(general_config, streams)


def _parse_values(document, section, values, keys):
    parsed = {}
    for key, text in values.items():
        if key not in keys:
            raise ConfigError(f"{document.label}: [{section}] {key}: unknown key; known keys are {', '.join(keys)}")
        try:
            parsed[key] = keys[key](text)
        except ValueError as error:
            reason = str(error) if str(error) and "invalid literal" not in str(error) else f"'{text}' is not a number"
            raise ConfigError(f"{document.label}: [{section}] {key}: {_shown(document, reason)}") from None
    return parsed


def _shown(document, reason):
    """A reason that may quote the value, unless the value is a SecureString's."""
    return "not a valid value (not shown: the parameter is a SecureString)" if document.secret else reason


def _general(document, values, base):
    parsed = _parse_values(document, "general", values, GENERAL_KEYS)
    for key in ("state_file", "logging_config_file", "metrics_textfile"):
        if key in parsed:
            parsed[key] = str(base / parsed[key])  # relative paths: next to the config file (or in --state-dir)
    parsed.setdefault("state_file", str(base / "watchstate"))
    if "price_per_gb" in parsed:
        parsed["price_per_gb"] = tuple(sorted({**dict(PRICE_PER_GB), **dict(parsed["price_per_gb"])}.items()))
    if parsed.get("host_metrics") and not parsed.get("metrics_log_group"):
        raise ConfigError(f"{document.label}: [general] host_metrics: needs metrics_log_group (the records go there)")
    return GeneralConfig(**parsed)


def _stream(document, section, values, resolve_placeholder, kinds, required=REQUIRED_STREAM_KEYS):
    parsed = _parse_values(document, section, values, stream_keys(kinds))
    where = f"{document.label}: [{section}]"
    kind = parsed.get("source", "file")
    for key, owners in only_for(kinds).items():
        if key in parsed and kind not in owners:
            owners = " or ".join("files" if owner == "file" else f"source = {owner}" for owner in owners)
            raise ConfigError(f"{where} {key}: only for {owners}; this section has source = {kind}")
    for key in ("external_id", "role_session_name"):
        if key in parsed and "role_arn" not in parsed:
            raise ConfigError(f"{where} {key}: goes with role_arn, which this section does not set")
    if not kinds[kind].needs_file:
        required = tuple(key for key in required if key != "file")
    for key, value in kinds[kind].defaults.items():
        parsed.setdefault(key, value)
    for key in required:
        if key not in parsed:
            raise ConfigError(f"{where} {key}: missing (required)")
    if parsed.get("multi_line_start_pattern") == DATETIME_FORMAT_PATTERN and "datetime_format" not in parsed:
        raise ConfigError(
            f"{where} multi_line_start_pattern: {{datetime_format}} needs datetime_format to be set"
        )
    if "timestamp_pattern" in parsed and "datetime_format" not in parsed:
        raise ConfigError(f"{where} timestamp_pattern: needs datetime_format (how the text it finds is read)")
    check_records(parsed, kinds[kind].keys, lambda key, reason: ConfigError(f"{where} {key}: {reason}"))
    if not getattr(kinds[kind], "record_names", True) and any(
            "{json:" in parsed.get(key, "") for key in ("log_group_name", "log_stream_name")):
        raise ConfigError(f"{where} log_stream_name: {{json:...}} is not for source = {kind}")
    for key in ("log_group_name", "log_stream_name"):
        try:
            parsed[key] = resolve_name(key, parsed[key], kinds[kind], resolve_placeholder, kinds.values())
        except ValueError as error:
            raise ConfigError(f"{where} {key}: {_shown(document, str(error))}") from None
    return stream_config(kinds, parsed, section, document.label)


def check_records(parsed, kind_keys, problem):
    """The structured-line keys that only mean something together; ``problem(key, reason)``: the
    caller's error, raised (a file's line naming the section, or a command-line option's). A kind
    that formats its messages (journald's message_format) gives the message alone to JSON sections."""
    is_json = parsed.get("log_format") == "json"
    if is_json and "message_format" in kind_keys:
        parsed.setdefault("message_format", "message")
    for key in ("timestamp_key", "mask_fields", "drop_fields"):
        if key in parsed and not is_json:
            raise problem(key, "needs log_format = json (the lines are read as text)")
    for key in ("log_group_name", "log_stream_name"):
        if "{json:" in parsed.get(key, "") and not is_json:
            raise problem(key, "{json:...} needs log_format = json (the lines are read as text)")
    if is_json and parsed.get("multi_line_start_pattern") == DATETIME_FORMAT_PATTERN:
        raise problem("multi_line_start_pattern", "{datetime_format} is for text lines; with log_format = json, "
                      "datetime_format reads the timestamp_key field")
    if is_json and parsed.get("message_format", "message") != "message":
        raise problem("log_format", "json needs message_format = message (the entry's MESSAGE alone, not the "
                      f"{parsed['message_format']} format)")


def stream_config(kinds, values, section, defined_in=""):
    """A StreamConfig from a section's parsed keys, flat as the section has them: the common ones,
    and the kind's own made into its options object by its SourceKind."""
    common = {key: value for key, value in values.items() if key in COMMON_STREAM_KEYS or key == "source"}
    own = {key: value for key, value in values.items() if key not in common}
    record = RecordFormat(**{key: common.pop(key) for key in RECORD_KEYS if key in common})
    kind = kinds[values.get("source", "file")]
    return StreamConfig(section=section, defined_in=defined_in, options=kind.options(own), record=record, **common)
