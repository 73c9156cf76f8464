"""An episode of the state file not written: what its INFO, the stop's WARNING and --status's note
say; the cause as the operating system words it."""
import errno
import sqlite3

from awscli_cwlogs.stateepisode import Episode, disk_cause, state_disk


def test_the_end_of_an_episode_says_how_long_how_often_and_what_a_kill_would_have_resent():
    episode = Episode("No space left on device (SQLite: database or disk is full)", began=100.0, began_at=5000.0)
    episode.failures = 12
    for destination, events in (("g/a", 15_000), ("g/b", 5_000), ("g/a", 1)):
        episode.unsaved[destination] = episode.unsaved.get(destination, 0) + events
    assert episode.describe_end("/var/lib/awslogs/agent-state", 163.4) == (
        "state file /var/lib/awslogs/agent-state written again after 63 s (12 failed attempt(s): No space left on "
        "device (SQLite: database or disk is full)); every position is saved; a kill -9 during that time would have "
        "sent 20,001 event(s) (g/a 15,001, g/b 5,000) again")
    assert episode.describe_stop("/s", 104.25) == (
        "the state file /s not written for 4.2 s (No space left on device (SQLite: database or disk is full)): "
        "20,001 event(s) (g/a 15,001, g/b 5,000) accepted since then will be sent again at the next start")
    assert episode.as_note() == {"since": 5000.0, "cause": episode.cause, "failures": 12, "unsaved_events": 20_001}


def test_one_destination_is_not_listed_and_many_are_cut_to_the_largest_five():
    one = Episode("x", 0.0, 0.0, unsaved={"g/a": 3})
    assert one.describe_stop("/s", 1.0).endswith(": 3 event(s) accepted since then will be sent again at the next start")
    many = Episode("x", 0.0, 0.0, unsaved={f"g/{i}": i for i in range(1, 8)})
    assert "28 event(s) (g/7 7, g/6 6, g/5 5, g/4 4, g/3 3, ...)" in many.describe_stop("/s", 1.0)


def test_the_cause_is_an_oserrors_own_text_else_sqlites_where_the_disk_shows_nothing_wrong(tmp_path):
    assert disk_cause(tmp_path / "s", OSError(errno.EROFS, "Read-only file system")) == "Read-only file system"
    assert disk_cause(tmp_path / "s", sqlite3.OperationalError("database is locked")) == "database is locked"
    assert list(tmp_path.iterdir()) == []  # the test write leaves nothing behind
    gone = tmp_path / "removed" / "deeper" / "s"  # the state folder itself gone: its parents are asked
    assert disk_cause(gone, sqlite3.OperationalError("unable to open database file")) == "unable to open database file"


def test_the_state_disk_is_asked_of_the_nearest_folder_there(tmp_path):
    disk = state_disk(tmp_path / "removed" / "deeper" / "agent-state")
    assert disk["folder"] == str(tmp_path) and disk["read_only"] is False and disk["free_bytes"] > 0
