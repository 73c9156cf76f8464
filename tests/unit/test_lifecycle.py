"""Lifecycle: stop and reload requests come from signal handlers, which run in the main thread
between any two of its steps, also while it is inside the idle loop's wait() or clear()."""
import os
import signal
import subprocess
import sys
import textwrap
import time

from awscli_cwlogs.agent.lifecycle import Lifecycle

# The agent's idle loop, as tight as it gets, while the parent floods it with signals whose
# handlers ask for a reload (the same path as SIGTERM's request_stop, but repeatable).
IDLE_LOOP_UNDER_SIGNALS = textwrap.dedent("""
    import signal, sys, time
    from awscli_cwlogs.agent.lifecycle import Lifecycle
    lifecycle = Lifecycle(5)
    handled = 0
    def handler(*_):
        global handled
        handled += 1
        lifecycle.request_reload()
    signal.signal(signal.SIGUSR1, handler)
    signal.signal(signal.SIGTERM, lambda *_: lifecycle.request_stop())
    print("ready", flush=True)
    while not lifecycle.stop_requested.is_set():
        lifecycle.wakeup.wait(0.0001)
        lifecycle.wakeup.clear()
        lifecycle.reload_requested.clear()
    print("stopped after", handled, "signals", flush=True)
""")


def test_signal_handlers_never_deadlock_on_the_idle_loop():
    # With threading.Event this hung: the handler's Event.set() waited for the lock that the
    # interrupted wait()/clear() of the same thread held (seen within ~20,000 signals).
    child = subprocess.Popen([sys.executable, "-c", IDLE_LOOP_UNDER_SIGNALS], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 4
        sent = 0
        while time.monotonic() < deadline:
            for _ in range(50):
                os.kill(child.pid, signal.SIGUSR1)
            sent += 50
            time.sleep(0.001)
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0 and out.startswith("stopped after"), (child.returncode, out)
    assert sent > 20_000


def test_a_stop_wakes_the_idle_loop_at_once():
    lifecycle = Lifecycle(5)
    lifecycle.request_stop()
    started = time.monotonic()
    lifecycle.wakeup.wait(10)
    assert time.monotonic() - started < 1 and lifecycle.stop_requested.is_set()
    lifecycle.wakeup.clear()
    started = time.monotonic()
    lifecycle.wakeup.wait(0.2)  # cleared: waits its time again
    assert time.monotonic() - started >= 0.19


def test_the_deadline_starts_at_the_first_stop_and_children_end_with_the_parent():
    now = [100.0]
    parent = Lifecycle(20, clock=lambda: now[0])
    child = parent.child()
    parent.request_stop()
    now[0] = 110
    parent.request_stop()  # a second SIGTERM does not push the deadline out
    assert not child.expired()
    now[0] = 120
    assert parent.expired() and child.expired()


def test_many_wakeups_before_a_wait_do_not_block_the_setter():
    lifecycle = Lifecycle(5)
    for _ in range(200_000):  # more than a pipe holds
        lifecycle.wakeup.set()
    lifecycle.wakeup.clear()
    started = time.monotonic()
    lifecycle.wakeup.wait(0.1)
    assert time.monotonic() - started >= 0.09
