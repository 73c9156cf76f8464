"""sources/journal/source.py: routes, restart positions, positions of oversized entries (no I/O)."""

import pytest

from tests.harness.sections import make_stream
from awscli_cwlogs.limits import MAX_MESSAGE_BYTES
from awscli_cwlogs.sources.journal.entries import entry_events

ENTRY = {"__CURSOR": "s=1;i=2", "__REALTIME_TIMESTAMP": "1796000000123456", "__MONOTONIC_TIMESTAMP": "5",
         "MESSAGE": "hello", "SYSLOG_IDENTIFIER": "sshd", "_PID": "77", "_COMM": "sshd-session", "PRIORITY": "6"}


def test_a_batch_ending_in_the_first_part_of_an_oversized_entry_records_no_position():
    """The first parts of an entry over 1 MB, before any earlier entry of its stream, carry no
    position: a batch that ends with one is sent and counted, and records nothing."""
    import queue

    from awscli_cwlogs.cloudwatch.batch import BodyFormat, make_batch
    from awscli_cwlogs.agent.lifecycle import Lifecycle
    from awscli_cwlogs.cloudwatch.publisher import Publisher
    from awscli_cwlogs.sources.journal.entries import JournalRoute
    from tests.harness.scripted import STREAM, ScriptedClient, Store

    parts = entry_events({**ENTRY, "MESSAGE": "x" * (MAX_MESSAGE_BYTES + 10)}, "message", None)
    route = JournalRoute({})
    store = Store()
    batches = queue.Queue()
    batches.put(make_batch(parts[:1], {route.key: (route, parts[0][3])}, BodyFormat("g", "s", use_gzip=False)))
    batches.put(make_batch(parts[1:], {route.key: (route, parts[1][3])}, BodyFormat("g", "s", use_gzip=False)))
    batches.put(None)
    Publisher(ScriptedClient({}, {}), STREAM, store, Lifecycle(20)).run(batches)
    assert parts[0][3] is None
    assert store.saved == [{}, {("journald", 0): ("s=1;i=2", 1796000000123456)}]


def test_a_restart_starts_at_the_watermark_else_the_earliest_route():
    from awscli_cwlogs.sources.journal.source import KEY, restart_position
    routes = {("journald;unit=a", 0): ("s=1;i=5", 5), ("journald;unit=b", 0): ("s=1;i=3", 3)}
    assert restart_position(routes) == ("s=1;i=3", 3)
    assert restart_position({**routes, KEY: ("s=1;i=9", 9)}) == ("s=1;i=9", 9)
    assert restart_position({}) is None


@pytest.mark.parametrize("names, expected", [
    ("{unit}", ["a.service", "a.service", "ident-x", "b.service"]),
    ("{identifier}", ["x", "x", "x", "y"]),
    ("{unit}-{identifier}", ["a.service-x", "a.service-x", "ident-x-x", "b.service-y"]),
])
def test_each_entry_goes_to_its_route_whatever_the_cache_knows(names, expected):
    """The route cache is keyed by the one field that decides the route; an entry without it
    (no unit: its identifier decides), or with a name using two fields, takes the full way."""
    from awscli_cwlogs.sources.journal.source import JournaldSource

    stream = make_stream(section="j", log_group_name="g", log_stream_name=names, source="journald",
                          message_format="message")
    entries = [{"_SYSTEMD_UNIT": "a.service", "SYSLOG_IDENTIFIER": "x"},
               {"_SYSTEMD_UNIT": "a.service", "SYSLOG_IDENTIFIER": "x"},
               {"SYSLOG_IDENTIFIER": "ident-x"} if names == "{unit}" else
               {"SYSLOG_IDENTIFIER": "x", **({"_SYSTEMD_UNIT": "ident-x"} if "unit" in names else {})},
               {"_SYSTEMD_UNIT": "b.service", "SYSLOG_IDENTIFIER": "y"}]
    read = [{**entry, "MESSAGE": f"m{i}", "__CURSOR": f"s=1;i={i}",
             "__REALTIME_TIMESTAMP": str(1_796_000_000_000_000 + i)} for i, entry in enumerate(entries)]
    source = JournaldSource(stream, {}, False)
    routed = {event[1]: "-".join(route.name_values.values()) for _, route, events in source._events(read)
              for event in events}
    assert [routed[f"m{i}"] for i in range(4)] == expected

