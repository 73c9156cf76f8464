"""Where the configuration comes from: --config-file and --additional-configs-dir, each a local
path or an ``ssm:`` location (config/parameters.py), mixed freely. The parameters are fetched
(``fetch``: the network, in the refresh thread); the local files are read when a configuration is
put together (``compose``: in the agent's main loop, at start and on each reload)."""
import time
from dataclasses import dataclass, field
from pathlib import Path

from awscli_cwlogs.config.documents import folder_files, read_file
from awscli_cwlogs.config.parameters import is_ssm, parameter_name
from awscli_cwlogs.config.settings import load_documents

SERVICE_STATE_DIR = "/var/lib/awslogs"  # launcher/install.sh's, and the systemd unit's StateDirectory


@dataclass(frozen=True)
class Fetched:
    """The parameters of each ``ssm:`` location as they were at ``at``."""

    documents: dict = field(default_factory=dict)  # location -> tuple of Documents
    at: float = None

    @property
    def versions(self):
        """((name, version), ...) of every parameter: what changes when one is edited, added or deleted."""
        return tuple(sorted((d.name, d.version) for documents in self.documents.values() for d in documents))

    def describe(self):
        return ", ".join(f"ssm:{name} version {version}" for name, version in self.versions) or "no parameters"


class ConfigOrigin:
    """The two arguments, checked; ValueError (a usage error) names the argument."""

    def __init__(self, config_file, additional_dir=None, state_dir=None):
        self.config_file, self.additional_dir = str(config_file), additional_dir
        self.main_name = parameter_name(config_file, "--config-file") if is_ssm(config_file) else None
        self.extra_path = parameter_name(additional_dir, "--additional-configs-dir", folder=True) \
            if is_ssm(additional_dir) else None
        self.state_dir = Path(state_dir or (SERVICE_STATE_DIR if self.main_name
                                            else Path(config_file).resolve().parent))

    @property
    def uses_ssm(self):
        return bool(self.main_name or self.extra_path)

    def describe(self):
        return self.config_file + (f" + {self.additional_dir}" if self.additional_dir else "")

    def fetch(self, reader, clock=time.time):
        """The parameters now; FetchError if they cannot be read."""
        documents = {}
        if self.main_name:
            documents[self.config_file] = (reader.one(self.main_name),)
        if self.extra_path:
            documents[self.additional_dir] = tuple(reader.under(self.extra_path))
        return Fetched(documents, clock())

    def compose(self, fetched):
        """(main Document, [additional Documents]) from the fetched parameters and the local files now."""
        main = fetched.documents[self.config_file][0] if self.main_name else read_file(self.config_file)
        if self.extra_path:
            extras = list(fetched.documents[self.additional_dir])
        else:
            extras = folder_files(self.additional_dir) if self.additional_dir is not None else []
        return main, extras

    def load(self, fetched, kinds, resolve_placeholder=None):
        """The validated AgentConfig; ConfigError names the file or parameter, section and key."""
        main, extras = self.compose(fetched)
        base = self.state_dir if self.main_name else Path(self.config_file).resolve().parent
        return load_documents(main, extras, kinds, resolve_placeholder, base)

