"""Following the parameters while the agent runs: a thread looks at them every ``config_refresh``
seconds, jittered so that a fleet does not call at once, backing off while SSM fails; a change
(or a SIGHUP) is handed to the agent's main loop, which validates and applies it."""
import logging
import random
import threading
import time

from awscli_cwlogs.config.parameters import FetchError

LOG = logging.getLogger("awscli_cwlogs")
JITTER = 0.5  # each wait is the interval times a random factor in [1 - JITTER, 1 + JITTER]
MOST_BACKOFF = 4  # after failures the waits double from the interval up to this many intervals
START_BACKOFF_S, START_PATIENCE_S = 5, 120  # at start, a throttled fetch is tried again from 5 s on, for 2 minutes


class RefreshSchedule:
    """The waits between looks at the parameters. Pure: the random source is injected.

    After a failure the agent waits longer than its interval, never shorter: a fleet that SSM
    throttles (or that finds SSM down) then calls less than it does when all is well."""

    def __init__(self, interval, rng=random.random, first_backoff=None, most_backoff=None):
        self.interval = interval
        self._rng = rng
        self._first, self._most = first_backoff, most_backoff
        self.failures = 0

    def _jittered(self, seconds):
        return seconds * (1 - JITTER + 2 * JITTER * self._rng())

    def after_success(self):
        self.failures = 0
        return self._jittered(self.interval)

    def after_failure(self):
        self.failures += 1
        first, most = self._first or self.interval, self._most or MOST_BACKOFF * self.interval
        return self._jittered(min(first * 2 ** (self.failures - 1), most))


class FetchRecord:
    """What --status and the metrics say about fetching: versions, last success, last error."""

    def __init__(self, origin, clock=time.time):
        self.source = origin.describe()
        self.versions = ()  # of the configuration running now
        self.last_fetch = self.last_error = self.last_error_at = None
        self.failures = 0  # cumulative, for the metrics
        self._clock = clock
        self.store = None

    def attach(self, store):
        """From now on every change is written to the state file (None: no more), for --status."""
        self.store = store
        self._save()

    def fetched(self):
        self.last_fetch = self._clock()
        self._save()

    def failed(self, error):
        self.failures += 1
        self.last_error, self.last_error_at = str(error), self._clock()
        self._save()

    def applied(self, fetched):
        self.versions = fetched.versions
        self._save()

    def version_sum(self):
        """One number per configuration: hosts on the same parameters show the same sum."""
        return sum(version for _, version in self.versions)

    def as_dict(self):
        return {"source": self.source, "versions": [list(v) for v in self.versions], "last_fetch": self.last_fetch,
                "last_error": self.last_error, "last_error_at": self.last_error_at, "fetch_failures": self.failures}

    def _save(self):
        if self.store is not None:
            self.store.set_config_status(self.as_dict())


class ConfigWatcher:
    """The refresh thread. ``take()`` (main loop) gives the parameters to apply, if any: changed
    ones, or on ``fetch_now()`` (SIGHUP) the ones just fetched (the last ones, if SSM failed)."""

    def __init__(self, origin, reader, fetched, schedule, record, request_reload):
        self._origin, self._reader, self._schedule, self._record = origin, reader, schedule, record
        self._request_reload = request_reload
        self._last = fetched  # the newest parameters seen (applied or refused)
        self._pending = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._now = self._stopped = False
        self._outage = False
        self.thread = threading.Thread(target=self._run, name="config-refresh", daemon=True)

    @property
    def interval(self):
        return self._schedule.interval

    @interval.setter
    def interval(self, seconds):
        self._schedule.interval = seconds

    def fetch_now(self):
        self._now = True
        self._wake.set()

    def take(self):
        with self._lock:
            pending, self._pending = self._pending, None
        return pending

    def stop(self):
        self._stopped = True
        self._wake.set()

    def _run(self):
        delay = self._schedule.after_success()
        while not self._stopped:
            self._wake.wait(delay)
            self._wake.clear()
            if self._stopped:
                return
            asked, self._now = self._now, False
            delay = self._look(asked)

    def _look(self, asked):
        try:
            fetched = self._origin.fetch(self._reader)
        except FetchError as error:
            self._failed(error, asked)
            return self._schedule.after_failure()
        if self._outage:
            LOG.info("configuration: SSM answers again after %d failed attempt(s)", self._schedule.failures)
            self._outage = False
        self._record.fetched()
        if asked or fetched.versions != self._last.versions:
            self._hand_over(fetched)
        return self._schedule.after_success()

    def _failed(self, error, asked):
        self._record.failed(error)
        if not self._outage:
            self._outage = True
            kind = "throttled" if error.throttled else "cannot fetch"
            LOG.warning("configuration: %s (%s); the running configuration stays; trying again with backoff "
                        "(logged once until it works)", kind, error)
        if asked:
            LOG.warning("reload: SSM failed; the local files are read again with the parameters fetched at %s",
                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._last.at or 0)))
            self._hand_over(self._last)

    def _hand_over(self, fetched):
        with self._lock:
            self._pending = self._last = fetched
        self._request_reload()
