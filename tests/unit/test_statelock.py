"""One agent per state file: the lock beside it, the wait for a stopping agent, the note --status
reads. flock locks of two descriptors conflict within one process too, so one test process
plays both agents; the real second agent is in tests/integration/test_push_state.py."""
import os
import shutil
import subprocess
import sys
import threading

import pytest

from awscli_cwlogs.statelock import NOTE_BYTES, StateFileBusy, StateLock, holder, read_note


def test_a_second_lock_on_the_same_state_file_is_refused_naming_the_holder(tmp_path):
    state = str(tmp_path / "lib" / "state")
    first = StateLock(state)
    first.acquire()
    assert holder(state) == os.getpid()
    assert os.stat(f"{state}.lock").st_mode & 0o777 == 0o600 and os.stat(f"{state}.lock").st_size == NOTE_BYTES
    with pytest.raises(StateFileBusy) as busy:
        StateLock(state).acquire()
    assert str(busy.value) == (f"another agent (pid {os.getpid()}) is running with the state file {state}; stop it "
                               f"first (sudo systemctl stop awslogs, or kill {os.getpid()}), or give this one a "
                               "state_file of its own")
    first.release()
    assert holder(state) is None
    second = StateLock(state)
    second.acquire()
    second.release()


def test_a_killed_holder_leaves_no_lock(tmp_path):
    state = str(tmp_path / "state")
    code = ("import os, sys; sys.path.insert(0, sys.argv[2]); from awscli_cwlogs.statelock import StateLock; "
            "StateLock(sys.argv[1]).acquire(); os.kill(os.getpid(), 9)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert subprocess.run([sys.executable, "-c", code, state, root]).returncode == -9
    assert holder(state) is None
    lock = StateLock(state)
    lock.acquire()
    lock.release()


def test_waits_for_a_stopping_agent_then_takes_the_lock(tmp_path):
    state = str(tmp_path / "state")
    old = StateLock(state)
    old.acquire()
    waits = []

    def sleep(seconds):  # the old agent stops during the new one's third wait
        waits.append(seconds)
        if len(waits) == 3:
            old.release()
    clock = iter(range(1000)).__next__
    new = StateLock(state)
    new.acquire(wait_s=40, sleep=sleep, monotonic=clock)
    assert len(waits) == 3 and holder(state) == os.getpid()
    new.release()
    again = StateLock(state)
    again.acquire()
    with pytest.raises(StateFileBusy):
        StateLock(state).acquire(wait_s=2, sleep=lambda s: None, monotonic=iter(range(1000)).__next__)
    again.release()


def test_the_note_says_the_pid_and_the_episode_and_a_removed_lock_file_is_made_again(tmp_path):
    folder = tmp_path / "lib"
    state = str(folder / "state")
    lock = StateLock(state, clock=lambda: 1000.0)
    lock.acquire()
    assert read_note(state) == {"pid": os.getpid(), "since": 1000.0, "state_file_unwritten": None}
    episode = {"since": 990.0, "cause": "No space left on device", "failures": 3, "unsaved_events": 5}
    lock.tell(episode)
    assert read_note(state)["state_file_unwritten"] == episode
    shutil.rmtree(folder)
    assert holder(state) is None
    lock.renew()
    assert holder(state) == os.getpid() and read_note(state)["state_file_unwritten"] == episode
    lock.tell(None, stopped=True)
    assert read_note(state)["stopped"] == 1000.0
    lock.release()


def test_a_lock_file_that_cannot_be_made_warns_and_goes_on(tmp_path, caplog):
    blocker = tmp_path / "var"
    blocker.write_text("a file where the state folder should be")
    lock = StateLock(str(blocker / "state"))
    lock.acquire()
    assert "cannot lock the state file" in caplog.text and "a second agent on it would not be noticed" in caplog.text
    lock.tell({"cause": "x"})  # nothing to write to, and no error
    lock.release()


def test_two_threads_racing_for_the_lock_end_with_one_holder(tmp_path):
    state = str(tmp_path / "state")
    won, lost = [], []

    def race():
        lock = StateLock(state)
        try:
            lock.acquire()
            won.append(lock)
        except StateFileBusy:
            lost.append(lock)
    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(won), len(lost)) == (1, 7)
    won[0].release()
