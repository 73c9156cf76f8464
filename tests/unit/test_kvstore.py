"""The state file: permissions, round trip, corruption, pruning."""
import os
import sqlite3
import stat

import pytest

from awscli_cwlogs.kvstore import _SCHEMA, StateStore, billable_bytes


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_created_0600_with_its_journal(tmp_path):
    path = tmp_path / "state" / "agent-state"
    store = StateStore(path)
    store.save("g", "s", {("fp", 7): ("/l/app.log", 123)})
    assert mode(path) == 0o600
    assert mode(f"{path}-wal") == 0o600 and mode(f"{path}-shm") == 0o600
    store.close()


def test_round_trip_and_update(tmp_path):
    store = StateStore(tmp_path / "s")
    assert not store.has_state("g", "s")
    store.save("g", "s", {("fp", 7): ("/l/app.log", 123), ("fp", 8): ("/l/app.log.1", 5)})
    store.save("g", "s", {("fp", 7): ("/l/app.log", 456)})
    store.close()
    again = StateStore(tmp_path / "s")
    positions = again.positions("g", "s")
    assert {k: p.offset for k, p in positions.items()} == {("fp", 7): 456, ("fp", 8): 5}
    assert again.has_state("g", "s") and not again.has_state("g", "other")


def test_a_corrupt_file_is_moved_aside(tmp_path):
    path = tmp_path / "s"
    path.write_bytes(b"this is not sqlite" * 1000)
    store = StateStore(path, clock=lambda: 1234.0)
    assert store.positions("g", "s") == {}
    assert (tmp_path / "s.corrupt-1234").read_bytes().startswith(b"this is not sqlite")
    assert store.set_aside == f"is damaged (file is not a database); moved it to {tmp_path}/s.corrupt-1234"


def test_prune_forgets_stale_positions_not_in_use(tmp_path):
    now = [1_000_000.0]
    store = StateStore(tmp_path / "s", clock=lambda: now[0])
    store.save("g", "s", {("old", 1): ("/a", 1), ("kept", 2): ("/b", 2)})
    now[0] += 8 * 86_400
    store.save("g", "s", {("fresh", 3): ("/c", 3)})
    assert store.prune("g", "s", keep={("kept", 2)}) == 1
    assert set(store.positions("g", "s")) == {("kept", 2), ("fresh", 3)}


def test_counters_add_up_in_the_checkpoint_transaction_and_read_only_sees_them(tmp_path):
    clock = iter([100.0, 200.0, 300.0]).__next__
    store = StateStore(tmp_path / "s", clock=clock)
    store.save("g", "s", {("fp", 7): ("/l/a", 10)}, {"events_sent": 5, "batches_sent": 1, "message_bytes": 50})
    store.record_error("g", "s", "ThrottlingException: Rate exceeded")
    store.save("g", "s", {("fp", 7): ("/l/a", 20)}, {"events_sent": 0, "batches_sent": 0, "filtered": 4,
                                                      "too_old": 2, "not_json": 3, "masked": 6})
    reader = StateStore(tmp_path / "s", read_only=True)
    counters = reader.stream_counters("g", "s")
    assert counters == {"events_sent": 5, "message_bytes": 50, "batches_sent": 1, "too_old": 2, "too_new": 0,
                        "expired": 0, "refused": 0, "filtered": 4, "not_json": 3, "masked": 6, "last_accepted": 100.0,
                        "last_error": "ThrottlingException: Rate exceeded", "last_error_at": 200.0}
    assert reader.positions("g", "s")[("fp", 7)].offset == 20
    assert reader.stream_counters("g", "other")["events_sent"] == 0
    reader.close()
    store.close()


def test_read_only_never_creates_a_state_file(tmp_path):
    with pytest.raises(sqlite3.Error):
        StateStore(tmp_path / "missing", read_only=True)
    assert not (tmp_path / "missing").exists()


def test_billable_bytes_per_clock_hour_for_the_last_24_hours(tmp_path):
    now = [1_000 * 3600.0 + 60]  # a minute into an hour
    store = StateStore(tmp_path / "s", clock=lambda: now[0])
    store.save("g", "s", {}, {"events_sent": 2, "message_bytes": 100, "batches_sent": 1})  # 152 billable
    now[0] += 23 * 3600  # 23 hours later: that hour is still in the last 24
    store.save("g", "s", {}, {"events_sent": 3, "message_bytes": 10, "batches_sent": 1, "too_old": 1})  # 62
    store.save("g", "other", {}, {"events_sent": 1, "message_bytes": 1, "batches_sent": 1})
    assert store.billable_since("g", "s", 86_400) == 152 + 62
    now[0] += 3600  # its hour began more than 24 hours ago now
    assert store.billable_since("g", "s", 86_400) == 62
    assert billable_bytes(store.stream_counters("g", "s")) == 152 + 62  # since the first run
    now[0] += 48 * 3600
    store.save("g", "s", {}, {"events_sent": 0, "batches_sent": 0, "too_old": 2})  # nothing billable, nothing kept
    store.save("g", "s", {}, {"events_sent": 1, "message_bytes": 4, "batches_sent": 1})  # a new hour: old rows go
    rows = store._db.execute("SELECT hour, billable_bytes FROM billable_hours WHERE log_stream = 's'").fetchall()
    assert rows == [(int(now[0] // 3600), 30)]
    store.close()


def test_a_state_file_of_an_older_version_reads_as_nothing_billable_in_the_last_day(tmp_path):
    path = tmp_path / "s"
    StateStore(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE billable_hours")
    db.close()
    reader = StateStore(path, read_only=True)
    assert reader.billable_since("g", "s", 86_400) == 0
    reader.close()
    StateStore(path).close()  # opened for writing, the table is added
    assert StateStore(path, read_only=True).billable_since("g", "s", 86_400) == 0


def test_waiting_files_keep_their_first_time_and_go_when_told(tmp_path):
    now = [100.0]
    store = StateStore(tmp_path / "state", clock=lambda: now[0])
    store.set_waiting({"/l/a.log": "app", "/l/b.log": "app"})
    now[0] = 200.0
    store.set_waiting({"/l/b.log": "app", "/c/x.log": "other"})
    assert store.waiting() == {"app": [("/l/b.log", 100.0)], "other": [("/c/x.log", 200.0)]}
    store.set_waiting({})
    assert store.waiting() == {}
    store.close()


def test_a_state_file_of_an_earlier_version_gains_the_structured_counters(tmp_path):
    """Files written before structured lines have no not_json and masked columns: read-only
    (--status) reads them as 0, and an agent adds the columns and counts on, positions kept."""
    path = tmp_path / "old"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA.replace("    not_json INTEGER NOT NULL DEFAULT 0,\n", "")
                     .replace("    masked INTEGER NOT NULL DEFAULT 0,\n", ""))
    db.execute("INSERT INTO positions VALUES ('g', 's', 'fp', '/l/a', 7, 30, 1.0)")
    db.execute("INSERT INTO streams (log_group, log_stream, events_sent) VALUES ('g', 's', 9)")
    db.commit()
    db.close()
    reader = StateStore(path, read_only=True)
    assert (reader.stream_counters("g", "s")["events_sent"], reader.stream_counters("g", "s")["not_json"]) == (9, 0)
    reader.close()
    store = StateStore(path)
    store.save("g", "s", {("fp", 7): ("/l/a", 40)}, {"events_sent": 1, "batches_sent": 1, "not_json": 2, "masked": 1})
    store.close()
    reader = StateStore(path, read_only=True)
    counters = reader.stream_counters("g", "s")
    assert (counters["events_sent"], counters["not_json"], counters["masked"]) == (10, 2, 1)
    assert reader.positions("g", "s")[("fp", 7)].offset == 40
    reader.close()
