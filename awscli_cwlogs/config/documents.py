"""The texts a configuration is made of: local files (and a folder of them) or parameters of SSM
Parameter Store (config/parameters.py), each a Document that names where it came from."""
from dataclasses import dataclass
from pathlib import Path

from configobj import ConfigObj, ConfigObjError

SKIPPED_SUFFIXES = ("~", ".swp", ".bak")


class ConfigError(Exception):
    """One line: where (file or parameter, section, key) and why."""


@dataclass(frozen=True)
class Document:
    label: str  # what messages name: a path, or "ssm:/name (version 3)"
    text: str
    name: str = None  # an SSM parameter's name; None for a local file
    version: int = None
    secret: bool = False  # a SecureString: no message ever quotes its text

    @property
    def source(self):
        return f"ssm:{self.name}" if self.name else self.label


def read_file(path):
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such config file")
    if path.is_dir():  # a pipe is fine: --config-file <(render-config)
        raise ConfigError(f"{path}: is a folder, not a config file")
    try:
        # read here, not by configobj: it refuses anything but a regular file
        return Document(str(path), path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def folder_files(directory):
    """The config files of --additional-configs-dir, in name order; hidden files and backups skipped."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: --additional-configs-dir is not a directory")
    return [
        read_file(path) for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if path.is_file() and not path.name.startswith(".") and not path.name.endswith(SKIPPED_SUFFIXES)
    ]


def sections_of(document):
    """{section: {key: text}} of a document; ConfigError names the document (and for a
    SecureString only the line number, never the line)."""
    try:
        parsed = ConfigObj(document.text.lstrip("\ufeff").splitlines(), list_values=False, interpolation=False)
    except ConfigObjError as error:
        first = (getattr(error, "errors", None) or [error])[0]  # several errors: the first, on one line
        if document.secret:
            line = getattr(first, "line_number", "?")
            first = f"line {line} is not [section] nor key = value (not shown: SecureString)"
        raise ConfigError(f"{document.label}: {first}") from None
    for name in parsed.scalars:
        raise ConfigError(f"{document.label}: {name} is outside any [section]")
    sections = {}
    for name in parsed.sections:
        section = parsed[name]
        if section.sections:
            raise ConfigError(f"{document.label}: [{name}] has a nested section [[{section.sections[0]}]]")
        sections[name] = {key: _unquote(section[key]) for key in section.scalars}
    return sections


def _unquote(value):
    """configobj keeps quotes when list_values is off; quoting is how a value keeps a '#'."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value
