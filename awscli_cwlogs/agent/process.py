"""What the agent sets up for its process before it runs: where its own log goes, and which
signals stop or reload it."""
import logging
import logging.config
import resource
import sys

from awscli_cwlogs.cli import CommandError
from awscli_cwlogs.sources.tail import openfiles

LOG = logging.getLogger("awscli_cwlogs")
MAX_OPEN_FILES = 1 << 20  # the soft limit asked for where the hard one is unlimited (Linux's default nr_open)


def setup_logging(logging_config_file, parsed_globals, redactor=None):
    """The agent's log: a logging config file ([general] logging_config_file) or stderr."""
    if logging_config_file:
        try:
            logging.config.fileConfig(logging_config_file, disable_existing_loggers=False)
        except Exception as error:  # any problem in the file: say so, and log to stderr
            raise CommandError(f"{logging_config_file}: not a usable logging config: {error}") from None
        if redactor is not None:
            for logger in (logging.getLogger(), LOG):
                for handler in logger.handlers:
                    handler.addFilter(redactor)
        return
    if LOG.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    if redactor is not None:
        handler.addFilter(redactor)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.DEBUG if getattr(parsed_globals, "debug", False) else logging.INFO)
    LOG.propagate = False


class HeldLog(logging.Handler):
    """The agent's log lines from before its logging is set up (it is set up from the config, which
    is read first): held, then logged once it is, or dropped with the one-line error of a failed start."""

    def __init__(self):
        super().__init__()
        self.records = []
        self._level = LOG.level
        LOG.addHandler(self)
        LOG.setLevel(logging.INFO)

    def emit(self, record):
        self.records.append(record)

    def detach(self):
        """Before the agent's logging is set up (setup_logging sees no handler of its own then)."""
        LOG.removeHandler(self)
        LOG.setLevel(self._level)

    def replay(self):
        for record in self.records:
            if LOG.isEnabledFor(record.levelno):
                LOG.handle(record)
        self.records = []


def raise_open_file_limit():
    """Raises the soft limit on open files to the hard one, and logs both: the agent holds a
    descriptor per followed file, and a service's soft limit is often 1024 (systemd's default,
    with a hard limit of 524288). Returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    unlimited = resource.RLIM_INFINITY
    shown = lambda value: "unlimited" if value == unlimited else f"{value:,}"  # noqa: E731
    wanted = MAX_OPEN_FILES if hard == unlimited else hard
    if soft == unlimited or soft >= wanted:
        LOG.info("open files: soft limit %s, hard limit %s", shown(soft), shown(hard))
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError) as error:
        LOG.warning("open files: cannot raise the soft limit %s to %s: %s", shown(soft), shown(wanted), error)
        return soft
    LOG.info("open files: soft limit raised from %s to %s (hard limit %s)", shown(soft), shown(wanted), shown(hard))
    return wanted


def limit_files(wanted, soft_limit):
    """Sets the cap on followed files open at once: ``[general] max_open_files``, or the limit less
    a reserve for connections and the state file (never more than that); logs it. Returns it."""
    most = openfiles.default_cap(soft_limit)
    if wanted is not None and wanted > most:
        LOG.warning("max_open_files = %d leaves too few of the %d descriptors for the connections and the "
                    "state file; using %d", wanted, soft_limit, most)
    cap = openfiles.configure(min(wanted or most, most))
    LOG.info("open files: at most %s followed files open at once; a file with nothing new for %.0f s is "
             "closed until it changes", f"{cap:,}", openfiles.IDLE_CLOSE_S)
    return cap
