"""GetLogEvents and FilterLogEvents paging against scripted fake clients (no I/O)."""
from awscli_cwlogs.filter import follow_filter_pages, iter_filter_pages
from awscli_cwlogs.pull import iter_stream_pages


def event(ts, eid=None, message="m"):
    found = {"timestamp": ts, "message": message, "ingestionTime": ts}
    if eid is not None:
        found["eventId"] = eid
    return found


class FakeGetLogEvents:
    """Answers GetLogEvents from a script of (events, nextForwardToken) keyed by the token sent."""

    def __init__(self, script):
        self.script = script
        self.requests = []

    def get_log_events(self, **request):
        self.requests.append(dict(request))
        events, token = self.script[request.get("nextToken")]
        return {"events": events, "nextForwardToken": token, "nextBackwardToken": "b"}


def test_empty_pages_mid_stream_do_not_end_the_export():
    client = FakeGetLogEvents({
        None: ([event(1), event(2)], "t1"),
        "t1": ([], "t2"),
        "t2": ([], "t3"),
        "t3": ([event(3)], "t4"),
        "t4": ([], "t4"),
    })
    pages = list(iter_stream_pages(client, "g", "s"))
    assert [[e["timestamp"] for e in page] for page in pages] == [[1, 2], [3]]
    assert [r.get("nextToken") for r in client.requests] == [None, "t1", "t2", "t3", "t4"]
    assert all(r["startFromHead"] is True for r in client.requests)


def test_window_is_sent_and_end_is_exclusive_even_if_the_endpoint_includes_it():
    client = FakeGetLogEvents({None: ([event(10), event(19), event(20)], "t1"), "t1": ([], "t1")})
    pages = list(iter_stream_pages(client, "g", "s", start=10, end=20))
    assert [e["timestamp"] for page in pages for e in page] == [10, 19]
    assert client.requests[0]["startTime"] == 10 and client.requests[0]["endTime"] == 20


def test_follow_sleeps_only_after_an_empty_poll_and_keeps_the_token():
    polls = iter([([], "t1"), ([event(5)], "t2"), ([], "t2"), ([], "t2"), ([event(6)], "t3")])

    class Client:
        requests = []

        def get_log_events(self, **request):
            self.requests.append(request.get("nextToken"))
            events, token = next(polls)
            return {"events": events, "nextForwardToken": token}

    sleeps = []
    client = Client()
    pages = iter_stream_pages(client, "g", "s", follow=True, delay=0.25, sleep=sleeps.append)
    assert [e["timestamp"] for e in next(pages)] == [5]
    assert [e["timestamp"] for e in next(pages)] == [6]
    assert sleeps == [0.25, 0.25]  # one per empty poll at the end, none for the empty page before
    assert client.requests == [None, "t1", "t2", "t2", "t2"]


class FakeFilter:
    def __init__(self, polls):
        self.polls = iter(polls)  # each poll: list of pages; a page: list of events
        self.requests = []
        self._pages = iter(())

    def filter_log_events(self, **request):
        self.requests.append(dict(request))
        if "nextToken" not in request:
            self._pages = iter(next(self.polls))
        page = next(self._pages)
        more = self._peek_more()
        return {"events": page, **({"nextToken": "n"} if more else {})}

    def _peek_more(self):
        pages = list(self._pages)
        self._pages = iter(pages)
        return bool(pages)


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
