"""The publisher against scripted clients: it retries surprises, never dies, counts rejections."""
import gzip
import queue

from botocore.exceptions import EndpointConnectionError

from awscli_cwlogs.cloudwatch.batch import BodyFormat, make_batch
from awscli_cwlogs.agent.lifecycle import Lifecycle
from awscli_cwlogs.cloudwatch.publisher import Publisher
from tests.harness.scripted import STREAM, ScriptedClient, Store, client_error


class Source:
    path = "/l/app.log"

    def state_row(self, offset):
        return self.path, offset


def batch(n=3):
    return make_batch([(1000 + i, f"m{i}", 2, 10 * (i + 1)) for i in range(n)], {("fp", 7): (Source(), 30)},
                      BodyFormat("g", "s", use_gzip=False))


def publish(client, store=None, stdin=False):
    sleeps = []
    publisher = Publisher(client, STREAM, store, Lifecycle(20), give_up_on_permanent=stdin, sleep=sleeps.append)
    batches = queue.Queue()
    batches.put(batch())
    batches.put(None)
    publisher.run(batches)
    return publisher, sleeps


def test_transient_failures_and_surprises_are_retried_with_growing_backoff():
    client = ScriptedClient(client_error("ThrottlingException"), EndpointConnectionError(endpoint_url="x"),
                            client_error("ServiceUnavailableException", 503), RuntimeError("surprise"), {})
    store = Store()
    publisher, sleeps = publish(client, store)
    assert client.calls == 5 and publisher.stats.events_sent == 3
    assert store.saved == [{("fp", 7): ("/l/app.log", 30)}]  # recorded once, after acceptance
    assert store.counts == [{"events_sent": 3, "batches_sent": 1, "filtered": 0, "message_bytes": 6}]
    assert len(store.errors) == 4 and store.errors[0].startswith("ThrottlingException")
    assert len(sleeps) == 4 and all(0 < s <= 60 for s in sleeps)
    assert sleeps[2] > sleeps[0] / 2  # jittered but growing


def test_permanent_errors_are_retried_in_file_mode_and_given_up_in_stdin_mode():
    denied = [client_error("AccessDeniedException")] * 3
    publisher, sleeps = publish(ScriptedClient(*denied, {}), Store())
    assert publisher.stats.events_sent == 3 and len(sleeps) == 3
    publisher, _ = publish(ScriptedClient(*denied), stdin=True)
    assert publisher.stats.undelivered == 3 and "AccessDeniedException" in publisher.stats.last_error


def test_rejected_events_are_counted():
    response = {"rejectedLogEventsInfo": {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 2}}
    publisher, _ = publish(ScriptedClient(response))
    assert (publisher.stats.too_old, publisher.stats.too_new, publisher.stats.expired) == (1, 1, 0)
    assert publisher.stats.bytes_sent == 2  # only m1's: rejected events are not billed


def test_rejected_and_refused_events_bytes_are_left_out_of_the_accepted_bytes():
    store = Store()
    response = {"rejectedLogEventsInfo": {"expiredLogEventEndIndex": 2}}
    publisher, _ = publish(ScriptedClient(response), store)
    assert store.counts[-1]["message_bytes"] == 2 and store.counts[-1]["expired"] == 2


def test_an_invalid_event_is_isolated_and_the_rest_is_sent():
    class RefusesM1(ScriptedClient):
        def put_log_events(self, **kwargs):
            from awscli_cwlogs.cloudwatch.publisher import _body
            self.calls += 1
            body, compressed = _body.value
            body = gzip.decompress(body) if compressed else body
            if b'"m1"' in body:
                raise client_error("InvalidParameterException")
            self.sent = getattr(self, "sent", []) + [body.count(b'"message"')]
            return {}

    client = RefusesM1()
    store = Store()
    publisher, _ = publish(client, store)
    assert publisher.stats.refused == 1 and sum(client.sent) == 2
    assert store.counts[-1]["refused"] == 1  # stored with the batch's offsets, for --status
    assert store.counts[-1]["message_bytes"] == 4 == publisher.stats.bytes_sent  # m0 and m2
