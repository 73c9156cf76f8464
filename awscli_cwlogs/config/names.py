"""Log group and stream names: the placeholders a section's names may use, resolving at start
those that are the same for every event, and filling in those of each origin (a file's name,
a journal entry's unit, a container's name, labels and environment) as events arrive."""
import os
import re

from awscli_cwlogs.lines.records import NAME_PREFIX

PLACEHOLDERS = ("instance_id", "hostname", "ip_address", "node_name")  # resolved once, at start
# resolved per origin (a file, a journal entry, a container): each kind names its own (its
# ``placeholders`` and ``parameters``, such as {label:KEY}); {date} per event, for every kind
_SAMPLE_DATE = "2026-11-22"
_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SAFE_NAME = re.compile(r"[^.\-_/#A-Za-z0-9]")  # what a group name allows; stream names allow more


def resolve_name(key, value, kind, resolve_placeholder, kinds=()):
    """The name with {instance_id}, {hostname}, {ip_address}, {node_name} and {env:NAME} resolved (when
    ``resolve_placeholder`` is given); the per-origin placeholders of the section's ``kind`` (a
    SourceKind, or None for stdin) and {date} stay. ValueError with the reason for an unknown or
    misplaced placeholder (``kinds``: every SourceKind, to name the one a placeholder is for), or
    a name the service would refuse."""
    def substitute(found):
        name = found.group(1)
        if name.startswith("env:"):
            if name[4:] not in os.environ:
                raise ValueError(f"{{{name}}}: environment variable {name[4:]} is not set")
            return os.environ[name[4:]]
        if name == "date" or _is_origins(kind, name) or name.startswith(NAME_PREFIX):
            return found.group(0)  # per origin, per day, per record ({json:service}: with log_format = json)
        owners = [other.name for other in kinds if _is_origins(other, name)]
        if owners:
            raise ValueError(f"{{{name}}} is only for " + " or ".join(
                "files" if owner == "file" else f"source = {owner}" for owner in owners))
        if name not in PLACEHOLDERS:
            known = PLACEHOLDERS + (kind.placeholders if kind else ()) + ("date", "env:NAME", "json:FIELD") + tuple(
                prefix + "KEY" for prefix in (kind.parameters if kind else ()))
            raise ValueError(f"unknown placeholder {{{name}}}; known: " + ", ".join("{%s}" % p for p in known))
        return resolve_placeholder(name) if resolve_placeholder else found.group(0)

    resolved = _PLACEHOLDER.sub(substitute, value)
    if resolve_placeholder is not None:
        check_name(key, expand(resolved, {name: "x" for name in origin_placeholders(resolved)}, _SAMPLE_DATE))
    return resolved


def _is_origins(kind, name):
    return kind is not None and (name in kind.placeholders or name.startswith(kind.parameters or ("\0",)))


def origin_placeholders(template):
    """The per-origin placeholders a template uses ({label:KEY} included), {date} not: those
    resolve_name left, which checked them against the section's kind."""
    return [name for name in _PLACEHOLDER.findall(template)
            if name != "date" and name not in PLACEHOLDERS and not name.startswith("env:")]


def record_placeholders(*templates):
    """The {json:...} placeholders of name templates (a field of each record), each once, in order."""
    return list(dict.fromkeys(name for template in templates for name in origin_placeholders(template)
                              if name.startswith(NAME_PREFIX)))


def has_per_file_placeholders(name):
    """Whether the name differs between origins or days (else one destination for the section)."""
    return "{date}" in name or bool(origin_placeholders(name))


def expand(template, values, date):
    """A name template with the origin's (or the record's) ``values`` made safe for the service's
    names and {date} filled in; cut to the 512 characters a name may have."""
    for name, value in values.items():
        template = template.replace("{%s}" % name, _SAFE_NAME.sub("_", value))
    return template.replace("{date}", date)[:512]


def check_name(key, name):
    """The name, if the service accepts it as a log group (or stream) name; else ValueError."""
    if key == "log_group_name" and not _GROUP_NAME.fullmatch(name):
        raise ValueError(f"'{name}' is not a log group name (1-512 of A-Z a-z 0-9 _ - / . #)")
    if key == "log_stream_name" and (not 1 <= len(name) <= 512 or ":" in name or "*" in name):
        raise ValueError(f"'{name}' is not a log stream name (1-512, no : or *)")
    return name
