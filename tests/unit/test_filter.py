"""filter.py: FilterLogEvents paging and --follow against a scripted client (no I/O)."""
from awscli_cwlogs.export.search import follow_filter_pages, iter_filter_pages
from tests.harness.scripted import FakeFilter, event


def test_filter_pages_until_no_next_token():
    client = FakeFilter([[[event(1, "a")], [], [event(2, "b")]]])
    pages = list(iter_filter_pages(client, {"logGroupName": "g"}))
    assert [[e["eventId"] for e in p] for p in pages] == [["a"], [], ["b"]]
    assert [r.get("nextToken") for r in client.requests] == [None, "n", "n"]


def test_follow_filter_prints_each_event_once_and_misses_none_at_the_boundary():
    client = FakeFilter([
        [[event(1, "a"), event(3, "b")], [event(3, "c")]],
        [[event(3, "b"), event(3, "c"), event(3, "d")]],  # "d" arrived late with the same timestamp
        [[event(3, "b"), event(3, "c"), event(3, "d")]],  # nothing new
        [[event(3, "b"), event(3, "c"), event(3, "d"), event(4, "e")]],
    ])
    sleeps = []
    pages = follow_filter_pages(client, {"logGroupName": "g"}, delay=0.5, sleep=sleeps.append)
    printed = []
    while len(printed) < 5:
        printed += [e["eventId"] for e in next(pages)]
    assert printed == ["a", "b", "c", "d", "e"]
    assert [r.get("startTime") for r in client.requests if "nextToken" not in r] == [None, 3, 3, 3]
    assert sleeps == [0.5]


def test_follow_filter_stops_once_the_end_has_passed():
    client = FakeFilter([[[event(1, "a")]], [[event(1, "a"), event(2, "b")]]])
    clock = iter([0.001, 1.0]).__next__  # ms 1, then ms 1000 >= end
    pages = follow_filter_pages(client, {"logGroupName": "g"}, end=500, sleep=lambda s: None, clock=clock)
    assert [e["eventId"] for page in pages for e in page] == ["a", "b"]


def test_events_of_several_groups_wait_until_every_group_was_searched_past_them():
    from awscli_cwlogs.export.search import HELD_MS, HeldEvents
    held = HeldEvents()
    held.add("a", [{"timestamp": 5000, "message": "a1"}, {"timestamp": 9000, "message": "a2"}], searched_at=10_000)
    assert held.ready(["a", "b"]) == []  # b not searched yet: a later search may find older events there
    held.add("b", [{"timestamp": 6000, "message": "b1"}], searched_at=8000 + HELD_MS)
    assert [e["message"] for e in held.ready(["a", "b"])] == ["a1", "b1"]  # up to 8000: a2 waits
    assert [(e["message"], e["logGroupName"]) for e in held.ready(["a", "b"], everything=True)] == [("a2", "a")]


def test_a_quiet_group_is_searched_less_often_and_a_busy_one_at_once():
    from awscli_cwlogs.export.groups import QUIET_FACTOR, Pace
    now = [0.0]
    pace = Pace(1.0, clock=lambda: now[0])
    waits = []
    for _ in range(6):
        pace.polled("quiet", False)
        waits.append(pace.pause(["quiet"]))
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0] and QUIET_FACTOR == 8
    pace.polled("busy", True)
    assert pace.due(["quiet", "busy"]) == ["busy"] and pace.pause(["quiet", "busy"]) == 0
    pace.polled("quiet", True)
    pace.polled("quiet", False)
    assert pace.pause(["quiet"]) == 1.0  # found something: back to the short wait
