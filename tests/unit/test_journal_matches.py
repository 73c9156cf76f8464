"""The section's filters as sd-journal matches, with journalctl's meaning (no journal needed), and the
reader chosen when libsystemd cannot be loaded."""
import logging

import pytest

from tests.harness.sections import make_stream
from awscli_cwlogs.sources.journal import sdjournal
from awscli_cwlogs.sources.journal.child import JournalctlReader, ReaderProblem
from awscli_cwlogs.sources.journal.inprocess import LibsystemdReader
from awscli_cwlogs.sources.journal.matches import AND, MATCH, OR, NoUnits, journal_steps, mangled, units_matching
from awscli_cwlogs.sources.journal.running import open_reader


def stream(**keys):
    return make_stream(section="j", log_group_name="g", log_stream_name="s", source="journald", **keys)


def test_unit_names_get_service_and_globs_expand_over_the_known_units():
    assert mangled("sshd") == "sshd.service" and mangled("user.slice") == "user.slice"
    known = lambda: {"web-1.service", "web-2.service", "db.service"}  # noqa: E731
    assert units_matching(("web-*", "db", "web-1"), known) == ["web-1.service", "web-2.service", "db.service"]
    with pytest.raises(NoUnits, match="no unit in the journal matches cron-"):
        journal_steps(stream(units=("cron-*",)), known)


def test_units_or_ed_then_priority_then_matches_and_ed():
    steps = journal_steps(stream(units=("a", "b.socket"), priority="3", matches=("_UID=0", "+", "_COMM=x")))
    first_b = steps.index((MATCH, "_SYSTEMD_UNIT=b.socket"))
    assert steps[0] == (MATCH, "_SYSTEMD_UNIT=a.service") and steps[first_b - 1] == (OR,)
    assert (MATCH, "COREDUMP_UNIT=a.service") in steps and (MATCH, "OBJECT_SYSTEMD_UNIT=b.socket") in steps
    assert steps[steps.index((AND,)) + 1:] == [(MATCH, "PRIORITY=0"), (MATCH, "PRIORITY=1"), (MATCH, "PRIORITY=2"),
                                               (MATCH, "PRIORITY=3"), (AND,), (MATCH, "_UID=0"), (OR,),
                                               (MATCH, "_COMM=x")]
    assert journal_steps(stream()) == []


def test_without_libsystemd_journalctl_reads_and_one_info_line_says_why(monkeypatch, caplog):
    def unavailable():
        raise sdjournal.Unavailable("cannot load libsystemd (not here)")
    monkeypatch.setattr(sdjournal, "library", unavailable)
    monkeypatch.setattr("awscli_cwlogs.sources.journal.inprocess.library", unavailable)
    with caplog.at_level(logging.INFO, logger="awscli_cwlogs"):
        assert isinstance(open_reader(stream(journal_reader="auto")), JournalctlReader)
    assert caplog.messages == ["[j] reading the journal through journalctl: cannot load libsystemd (not here)"]
    with pytest.raises(ReaderProblem, match="journal_reader = libsystemd, but cannot load libsystemd"):
        open_reader(stream(journal_reader="libsystemd"))


def test_auto_is_the_default_reader_and_takes_libsystemd_where_it_loads():
    try:
        sdjournal.library()
    except sdjournal.Unavailable as why:
        pytest.skip(f"libsystemd cannot be loaded here ({why}): the fallback is tested above")
    assert stream().options.journal_reader == "auto"
    assert isinstance(open_reader(stream()), LibsystemdReader)
    assert isinstance(open_reader(stream(journal_reader="journalctl")), JournalctlReader)
