"""export/streampages.py: GetLogEvents paging against a scripted client (no I/O)."""
from awscli_cwlogs.export.streampages import StreamPages
from tests.harness.scripted import FakeGetLogEvents, event


def test_empty_pages_mid_stream_do_not_end_the_export():
    client = FakeGetLogEvents({
        None: ([event(1), event(2)], "t1"),
        "t1": ([], "t2"),
        "t2": ([], "t3"),
        "t3": ([event(3)], "t4"),
        "t4": ([], "t4"),
    })
    pages = list(StreamPages(client, "g", "s"))
    assert [[e["timestamp"] for e in page] for page in pages] == [[1, 2], [3]]
    assert [r.get("nextToken") for r in client.requests] == [None, "t1", "t2", "t3", "t4"]
    assert all(r["startFromHead"] is True for r in client.requests)


def test_window_is_sent_and_end_is_exclusive_even_if_the_endpoint_includes_it():
    client = FakeGetLogEvents({None: ([event(10), event(19), event(20)], "t1"), "t1": ([], "t1")})
    pages = list(StreamPages(client, "g", "s", start=10, end=20))
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
    pages = iter(StreamPages(client, "g", "s", follow=True, delay=0.25, sleep=sleeps.append))
    assert [e["timestamp"] for e in next(pages)] == [5]
    assert [e["timestamp"] for e in next(pages)] == [6]
    assert sleeps == [0.25, 0.25]  # one per empty poll at the end, none for the empty page before
    assert client.requests == [None, "t1", "t2", "t2", "t2"]
