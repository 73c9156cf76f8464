"""The state file behind the memory copy: written through, caught up after the disk refused,
written again when removed or overwritten, set aside only when SQLite calls it damaged. The
disk's refusals here need no root: a file where the state folder should be, a folder where
SQLite wants its -shm file (the torture scenarios use a full and a read-only tmpfs)."""
import logging
import os
import shutil
import sqlite3
import time

import pytest

from awscli_cwlogs.kvstore import StateStore
from awscli_cwlogs.statefile import Unreadable, is_damaged, transaction


def offsets(path):
    reader = StateStore(path, read_only=True)
    try:
        return {key[0]: position.offset for key, position in reader.positions("g", "s").items()}
    finally:
        reader.close()


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_failed_transaction_raises_its_own_error_not_rollbacks():
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a)")

    def full(connection):  # SQLITE_FULL at commit: SQLite has rolled back already
        connection.execute("INSERT INTO t VALUES (1)")
        connection.execute("ROLLBACK")
        raise sqlite3.OperationalError("database or disk is full")
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        transaction(db, full)
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,) and not db.in_transaction


def test_only_sqlites_own_verdict_counts_as_damage(tmp_path):
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not a database at all" * 300)
    with pytest.raises(sqlite3.DatabaseError) as error:
        sqlite3.connect(garbage).execute("SELECT * FROM sqlite_master").fetchall()
    assert is_damaged(error.value)
    assert not is_damaged(sqlite3.OperationalError("database or disk is full"))
    assert not is_damaged(sqlite3.OperationalError("disk I/O error"))


def test_a_state_file_that_can_be_read_but_not_written_is_used_and_caught_up(tmp_path, caplog):
    path = tmp_path / "state"
    first = StateStore(path)
    first.save("g", "s", {("a", 1): ("/a", 10)})
    first.close()
    os.mkdir(f"{path}-shm")  # SQLite reads it, but cannot write it
    caplog.set_level(logging.INFO, "awscli_cwlogs")
    store = StateStore(path, retry_cap_s=0.1)
    assert store.positions("g", "s")[("a", 1)].offset == 10 and store.write_failures == 1
    store.save("g", "s", {("a", 1): ("/a", 20), ("b", 2): ("/b", 5)}, {"events_sent": 3, "batches_sent": 1})
    store.save("g", "other", {("c", 3): ("/c", 9)}, {"events_sent": 0, "filtered": 2})  # nothing to send again
    assert offsets(path) == {"a": 10}  # the file is behind
    os.rmdir(f"{path}-shm")
    wait_for(lambda: "written again" in caplog.text)
    assert offsets(path) == {"a": 20, "b": 5}
    warnings = [r.message for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "can be read but not written: attempt to write a readonly database" in warnings[0]
    assert "a kill -9 during that time would have sent 3 event(s) again" in caplog.text
    store.close()


def test_a_state_file_that_cannot_be_created_ships_from_memory_until_it_can(tmp_path, caplog):
    blocker = tmp_path / "var"
    blocker.write_text("a file where the state folder should be")
    caplog.set_level(logging.INFO, "awscli_cwlogs")
    store = StateStore(blocker / "awslogs" / "state", retry_cap_s=0.1)
    store.save("g", "s", {("a", 1): ("/a", 7)}, {"events_sent": 2, "batches_sent": 1})
    assert store.positions("g", "s")[("a", 1)].offset == 7
    assert "cannot be created: Not a directory" in caplog.text
    failures = store.write_failures
    wait_for(lambda: store.write_failures > failures)  # it keeps trying
    blocker.unlink()
    wait_for(lambda: "written again" in caplog.text)
    assert offsets(blocker / "awslogs" / "state") == {"a": 7}
    assert os.stat(blocker / "awslogs").st_mode & 0o777 == 0o700
    store.close()


def test_a_removed_state_folder_is_made_again_with_every_position(tmp_path, caplog):
    folder = tmp_path / "lib"
    store = StateStore(folder / "state")
    store.save("g", "s", {("a", 1): ("/a", 10), ("b", 2): ("/b", 4)})
    shutil.rmtree(folder)
    store.save("g", "s", {("a", 1): ("/a", 12)})
    assert offsets(folder / "state") == {"a": 12, "b": 4}
    assert "was removed (or its folder) while the agent ran; writing it again with every position" in caplog.text
    assert store.write_failures == 0
    store.close()


def test_a_state_file_overwritten_while_the_agent_runs_is_set_aside_and_written_again(tmp_path, caplog):
    path = tmp_path / "state"
    store = StateStore(path, clock=lambda: 1000.0)
    store.save("g", "s", {("a", 1): ("/a", 10)})
    with open(path, "r+b") as out:  # in place: the same inode
        out.write(os.urandom(4096))
    store.save("g", "s", {("b", 2): ("/b", 3)})
    store.close()
    assert offsets(path) == {"a": 10, "b": 3}
    assert (tmp_path / "state.corrupt-1000").exists()
    assert "was overwritten with something that is not SQLite" in caplog.text


def test_a_damaged_state_file_found_at_the_start_is_set_aside(tmp_path):
    path = tmp_path / "state"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    store = StateStore(path, clock=lambda: 77.0)
    assert store.set_aside.startswith("is damaged (") and store.set_aside.endswith(f"moved it to {path}.corrupt-77")
    assert not store.has_state("g", "s")
    store.save("g", "s", {("a", 1): ("/a", 1)})
    store.close()
    assert offsets(path) == {"a": 1}


def test_a_state_file_that_cannot_be_read_stops_the_start(tmp_path):
    path = tmp_path / "state"
    os.mkdir(path)  # there, and not a file SQLite can read
    with pytest.raises(Unreadable, match=f"state file {path} cannot be read"):
        StateStore(path)


def test_a_damaged_state_file_is_replaced_by_the_copy_of_the_last_clean_stop(tmp_path):
    path = tmp_path / "state"
    store = StateStore(path)
    store.save("g", "s", {("a", 1): ("/a", 10)}, {"events_sent": 4, "batches_sent": 1})
    store.close()  # a clean stop keeps the copy
    assert os.stat(f"{path}.previous").st_mode & 0o777 == 0o600
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    again = StateStore(path, clock=lambda: 5.0)
    assert again.resumed_from == (f"{path}.previous", os.path.getmtime(f"{path}.previous"))
    assert again.positions("g", "s")[("a", 1)].offset == 10 and again.stream_counters("g", "s")["events_sent"] == 4
    again.close()
    assert offsets(path) == {"a": 10} and (tmp_path / "state.corrupt-5").exists()


def test_a_removed_state_file_starts_afresh_though_a_copy_is_there(tmp_path):
    """Removing the state file while the agent is stopped is how an operator ships everything again."""
    path = tmp_path / "state"
    store = StateStore(path)
    store.save("g", "s", {("a", 1): ("/a", 10)})
    store.close()
    for leftover in tmp_path.glob("state*"):
        if leftover.name != "state.previous":
            leftover.unlink()
    again = StateStore(path)
    assert not again.has_state("g", "s") and again.resumed_from is None and again.set_aside is None
    again.close()


def test_an_io_error_while_reading_the_state_file_keeps_it_and_stops_the_start(tmp_path, monkeypatch):
    from awscli_cwlogs import statefile
    path = tmp_path / "state"
    StateStore(path).close()

    class FailingRead:  # EIO halfway through reading, as a failing disk gives it
        def backup(self, target):
            raise sqlite3.OperationalError("disk I/O error")

        def close(self):
            pass
    monkeypatch.setattr(statefile, "connect_for_reading", lambda where: FailingRead())
    with pytest.raises(Unreadable, match="disk I/O error"):
        StateStore(path)
    assert path.exists() and list(tmp_path.glob("*.corrupt-*")) == []
