"""Live tail's renewal logic without I/O: scripted sessions, a search that returns what it is told, a clock."""
from awscli_cwlogs.export.live import (CALM_S, FILL_AFTER_S, GAP_MARGIN_MS, LATE_MS, MAX_PAUSE_S, RENEW_AFTER_S,
                                       SAMPLED_WARNING, UNSAMPLED_NOTICE, LiveTail, Printed)

T0 = 1_800_000_000.0


def event(message, ts, ingested=None, group="g"):
    return {"logGroupName": group, "logStreamName": "s", "timestamp": ts, "message": message,
            "ingestionTime": ingested if ingested is not None else ts}


class Clock:
    def __init__(self):
        self.now = T0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class ScriptedSession:
    """Each update: (seconds after the previous, sampled, events)."""

    def __init__(self, clock, updates):
        self.clock, self.script, self.closed = clock, updates, False

    def updates(self):
        for after, sampled, events in self.script:
            self.clock.now += after
            yield sampled, events

    def close(self):
        self.closed = True


def ms(seconds_after_t0):
    return int((T0 + seconds_after_t0) * 1000)


class Done(Exception):
    """Every scripted session was used."""


def run(scripts, searches=(), history_start=None, changed=lambda: False):
    """What the tail prints over the scripted sessions, the searches it asked for, its warnings,
    the sessions and the clock."""
    clock, warnings, asked, sessions, found = Clock(), [], [], [], list(searches)

    def open_session(first):
        if len(sessions) == len(scripts):
            raise Done
        sessions.append(ScriptedSession(clock, scripts[len(sessions)]))
        return sessions[-1]

    def search(start, ingested_from):
        asked.append((start, ingested_from))
        return [found.pop(0)] if found else []  # one page
    printed = []
    try:
        tail = LiveTail(open_session, search, warnings.append, changed, clock=clock, sleep=clock.sleep)
        for page in tail.pages(history_start):
            printed += [e["message"] for e in page]
    except Done:
        pass
    return printed, asked, warnings, sessions, clock


def test_a_session_is_renewed_before_three_hours_and_its_gap_is_searched_once():
    last = RENEW_AFTER_S  # the update that reaches the renewal time
    first = [(1, False, [event("a", ms(1))]), (last - 1, False, [event("b", ms(last), ms(last))])]
    gap = [event("b", ms(last), ms(last)), event("c", ms(last) + 1, ms(last) + 1)]  # b again, c in between
    second = [(1, False, [event("c", ms(last) + 1, ms(last) + 1)]),
              (FILL_AFTER_S, False, [event("d", ms(last) + 5000)]), (1, False, [])]
    printed, asked, _, sessions, clock = run([first, second], [gap])
    assert printed == ["a", "b", "c", "d"]
    assert sessions[0].closed  # the client ended it: renewed, not timed out
    assert asked == [(ms(last) - GAP_MARGIN_MS - LATE_MS, ms(last) - GAP_MARGIN_MS)]
    assert clock.slept[0] == 0  # a session that lasted: reopened at once


def test_identical_events_are_printed_as_often_as_one_source_shows_them():
    printed = Printed()
    twin = event("same", 5)
    assert printed.new("session", [twin]) == [twin]
    assert printed.new("search", [twin, dict(twin)]) == [twin]  # the search saw two: one more
    assert printed.new("next session", [twin]) == []
    assert printed.new("next session", [event("old", 1, 1)], horizon=2) == []  # before what this source covers


def test_history_comes_first_then_a_session_that_does_not_repeat_it_nor_show_older_events():
    history = [event("h1", ms(-50), ms(-50)), event("h2", ms(-1), ms(-1))]
    gap = [event("h2", ms(-1), ms(-1)), event("g1", ms(0.2), ms(0.2))]
    session = [(0.5, False, [event("g1", ms(0.2), ms(0.2)), event("too old", ms(-61), ms(0.4)), event("n1", ms(1))]),
               (FILL_AFTER_S, False, [])]
    printed, asked, _, sessions, _ = run([[], session], [history, gap], history_start=ms(-60))
    assert printed == ["h1", "h2", "g1", "n1"]
    began = ms(0) - GAP_MARGIN_MS
    assert asked == [(ms(-60), None), (ms(-60), began)]  # the gap's search starts no earlier than --start-time
    assert sessions[0].closed  # the first session only tells that live tail is there


def test_sessions_that_end_at_once_are_reopened_after_a_pause_that_doubles():
    quick = [(1, False, [])]
    *_, clock = run([quick] * 8 + [[(1, False, [event("x", ms(100))])]])
    assert clock.slept[:7] == [1, 2, 4, 8, 16, MAX_PAUSE_S, MAX_PAUSE_S]


def test_sampling_is_warned_once_and_its_end_after_a_calm():
    updates = [(1, True, []), (1, True, []), (1, False, []), (CALM_S, False, []), (1, False, [event("z", ms(20))])]
    _, _, warnings, *_ = run([updates])
    assert warnings == [SAMPLED_WARNING, UNSAMPLED_NOTICE]


def test_a_group_that_joins_renews_the_session_and_its_gap_is_searched():
    answers = iter([False, True])  # the second listing finds a new group
    first = [(1, False, [event("a", ms(1))]), (1, False, [event("b", ms(2))]), (1, False, [event("never", ms(3))])]
    second = [(FILL_AFTER_S, False, [event("new", ms(5), group="joined")])]
    printed, asked, _, sessions, _ = run([first, second], [[event("b", ms(2))]], changed=lambda: next(answers, False))
    assert printed == ["a", "b", "new"]
    assert sessions[0].closed and len(asked) == 1
