"""The agent's configuration over its run: read at start (from local files, SSM parameters or
both; from the last good copy when SSM cannot be reached), then again on SIGHUP or when a
parameter changes. A configuration is validated in full before anything uses it."""
import logging
import time

from awscli.customizations.utils import create_client_from_parsed_globals
from botocore.config import Config

from awscli_cwlogs.cli import CommandError
from awscli_cwlogs.config.documents import ConfigError
from awscli_cwlogs.config.hostinfo import HostInfo
from awscli_cwlogs.config.kept import KeptConfig
from awscli_cwlogs.config.origin import Fetched
from awscli_cwlogs.config.parameters import FetchError, ParameterReader
from awscli_cwlogs.config.refresh import START_BACKOFF_S, START_PATIENCE_S, ConfigWatcher, FetchRecord, RefreshSchedule

LOG = logging.getLogger("awscli_cwlogs")


def ssm_client(session, parsed_globals):
    """SSM with the agent's credentials and region; its endpoint is SSM's own (AWS_ENDPOINT_URL_SSM,
    or the AWS config's endpoint_url), never --endpoint-url, which is for CloudWatch Logs."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=5, read_timeout=20)
    return create_client_from_parsed_globals(session, "ssm", parsed_globals, {"endpoint_url": None, "config": config})


class AgentConfiguration:
    def __init__(self, session, parsed_globals, origin, *, kinds, keep=True, clock=time.time):
        """``kinds``: the SourceKinds by name, which own their keys; ``keep``: write the last good
        copy (not in a dry run, which writes no state)."""
        self.origin = origin
        self._kinds = kinds
        self._keep = keep
        self._session = session
        self._host = HostInfo(session)
        self._clock = clock
        self.reader = ParameterReader(ssm_client(session, parsed_globals)) if origin.uses_ssm else None
        self.kept = KeptConfig(origin) if origin.uses_ssm else None
        self.record = FetchRecord(origin, clock)
        self._seen = None  # the newest parameters seen at start (applied, or refused): the watcher's base

    def load(self, fetched):
        """The validated AgentConfig of these parameters and the local files now; ConfigError."""
        agent_config = self.origin.load(fetched, self._kinds, self._host)
        unknown = unknown_profiles(agent_config.streams, self._session.available_profiles)
        if unknown:
            raise ConfigError(unknown[0])
        return agent_config

    def for_report(self, use_kept=False):
        """--check (the parameters as they are now) and --status (``use_kept``: what the agent
        last applied, when SSM cannot be read or holds a configuration that was refused):
        (AgentConfig, Fetched, the problem with the parameters now or None)."""
        try:
            fetched = self.fetch()
            return self.load(fetched), fetched, None
        except (FetchError, ConfigError) as error:
            kept, why = self.kept.load() if use_kept and self.kept else (None, None)
            if kept is None:
                raise CommandError(f"{error}" + (f"; {why}" if why else "")) from None
            return self._or_fail(kept), kept, str(error)

    def start(self, lifecycle):
        """The configuration the agent starts with; CommandError (one line) if there is none."""
        try:
            fetched = self._fetch_patiently(lifecycle)
        except FetchError as error:
            kept, why = self.kept.load()
            if kept is None:
                raise CommandError(f"cannot start: {error}; {why}") from None
            LOG.warning("configuration: %s; starting from the last good configuration (%s, fetched %s) kept in %s; "
                        "SSM is tried again in the background", error, kept.describe(), _iso(kept.at), self.kept.path)
            self.record.failed(error)
            return self._adopt(kept, self._or_fail(kept))
        try:
            return self._adopt(fetched, self.load(fetched))
        except ConfigError as error:
            kept, _ = self.kept.load() if self.kept else (None, None)
            if kept is None or kept.versions == fetched.versions:
                raise CommandError(str(error)) from None
            LOG.error("configuration refused: %s; starting from the last good configuration (%s) kept in %s",
                      error, kept.describe(), self.kept.path)
            return self._adopt(kept, self._or_fail(kept), seen=fetched)

    def fetch(self):
        return self.origin.fetch(self.reader, self._clock) if self.origin.uses_ssm else Fetched({}, self._clock())

    def _fetch_patiently(self, lifecycle):
        """Throttling at start (a fleet started at once) is waited out, up to START_PATIENCE_S."""
        schedule, waited = RefreshSchedule(START_PATIENCE_S, first_backoff=START_BACKOFF_S), 0
        while True:
            try:
                fetched = self.fetch()
                self.record.fetched()
                return fetched
            except FetchError as error:
                if not error.throttled or waited >= START_PATIENCE_S or lifecycle.stop_requested.is_set():
                    raise
                if not waited:
                    LOG.warning("configuration: %s; trying again with backoff for up to %d s", error, START_PATIENCE_S)
                pause = schedule.after_failure()
                lifecycle.wakeup.wait(pause)
                waited += pause

    def _or_fail(self, fetched):
        try:
            return self.load(fetched)
        except ConfigError as error:
            raise CommandError(str(error)) from None

    def _adopt(self, fetched, agent_config, seen=None):
        self._seen = seen or fetched
        self.applied(fetched)
        return agent_config

    def applied(self, fetched):
        """A configuration now runs: kept as the last good one, and recorded."""
        self.record.applied(fetched)
        if self.kept is not None and self._keep:
            try:
                self.kept.save(fetched)
            except OSError as error:
                LOG.warning("cannot keep the last good configuration in %s: %s", self.kept.path,
                            error.strerror or error)

    def watcher(self, interval, request_reload):
        """The refresh thread (started), when some of the configuration is in SSM; else None."""
        if not self.origin.uses_ssm:
            return None
        watcher = ConfigWatcher(self.origin, self.reader, self._seen, RefreshSchedule(interval), self.record,
                                request_reload)
        watcher.thread.start()
        return watcher


def unknown_profiles(streams, available):
    """One line per section naming a profile the AWS config file does not have."""
    return [f"{stream.defined_in}: [{stream.section}] profile: no profile '{stream.profile}' in the AWS config "
            f"and credentials files (there: {', '.join(sorted(available)) or 'none'})"
            for stream in streams if stream.profile and stream.profile not in available]


def _iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds)) if seconds else "at an unknown time"
