"""How a publisher waits before trying a request again: exponential backoff with jitter, each
failure counted and recorded, one line per outage of credentials; never past the shutdown
deadline."""
import logging
import random

LOG = logging.getLogger("awscli_cwlogs")
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 60.0


class Undeliverable(Exception):
    """Raised when the publisher must give up on a batch (shutdown deadline, permanent error)."""


class Backoff:
    """For one section: ``stats`` (StreamStats) counts the failures and retries, ``record`` (a
    StateRecord, or None) keeps the last error, ``lifecycle`` says when the deadline passed,
    ``sleep(seconds)`` waits (and returns early at a stop)."""

    def __init__(self, section, stats, record, lifecycle, sleep):
        self._section, self._stats, self._record = section, stats, record
        self._lifecycle, self._sleep = lifecycle, sleep
        self._credentials_failing = False

    def wait(self, attempt, reason, quiet=False):
        """Waits before attempt ``attempt + 1``; Undeliverable once the shutdown deadline passed.
        A line for the first attempts and every tenth (``quiet``: debug only)."""
        self._stats.last_error = reason
        self._stats.failed_requests += 1
        if self._record is not None:
            self._record.error(reason)
        if self._lifecycle.expired():
            raise Undeliverable(f"shutdown deadline passed while retrying ({reason})")
        self._stats.retries += 1
        delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** min(attempt, 10)) * random.uniform(0.5, 1.0)
        log = LOG.warning if not quiet and (attempt < 3 or attempt % 10 == 0) else LOG.debug
        log("[%s] PutLogEvents failed (%s); retry %d in %.1f s", self._section, reason, attempt + 1, delay)
        self._sleep(delay)

    def credentials_failed(self, attempt, error):
        """Credentials could not be had: one ERROR per outage, the retries are quiet."""
        if not self._credentials_failing:
            self._credentials_failing = True
            LOG.error("[%s] %s; this section retries with backoff, the others go on", self._section, error)
        self.wait(attempt, str(error), quiet=True)

    def succeeded(self):
        if self._credentials_failing:
            self._credentials_failing = False
            LOG.info("[%s] credentials work again; sending", self._section)
