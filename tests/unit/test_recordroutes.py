"""Names from the records' fields: each event's destination, the bound on destinations, and each
destination's position beside the file's watermark (cloudwatch/recordroutes.py), without I/O."""
import logging

from awscli_cwlogs.cloudwatch.recordroutes import RecordRoutes, routed_key, routed_offsets
from awscli_cwlogs.agent.records import RecordDispatch
from awscli_cwlogs.cloudwatch.routing import Router
from awscli_cwlogs.kvstore import Position
from awscli_cwlogs.config.names import record_placeholders
from awscli_cwlogs.lines.records import NameFields

A, B, C = ("g", "a"), ("g", "b"), ("g", "c")
KEY = ("fp", 7)


def events(*ends):
    return [(1000 + n, f"line {n}", 6, end) for n, end in enumerate(ends)]


def test_name_fields_with_defaults_nested_paths_and_values_that_are_not_text():
    fields = NameFields(record_placeholders("app-{json:service|none}", "{hostname}/{json:k8s.pod}"))
    assert fields.values({"service": "billing", "k8s": {"pod": "p-1"}}) == ("billing", "p-1")
    assert fields.values({"service": 3, "k8s": "flat"}) == ("3", "unknown")
    assert fields.values({"service": "", "k8s": {"pod": True}}) == ("none", "unknown")
    assert fields.values(None) == ("none", "unknown")
    assert fields.defaults() == {"json:service|none": "none", "json:k8s.pod": "unknown"}
    columns = fields.columns({"service": ["a", None, "", 4]}, {1: {"k8s": {"pod": "q"}}, 3: {"service": 4}}, 4)
    assert columns == [("a", "unknown"), ("none", "q"), ("none", "unknown"), ("4", "unknown")]


def test_each_event_has_its_destination_and_names_are_made_valid():
    router = Router("g", "{json:s}", record_defaults={"json:s": "unknown"})
    destinations = [router.record_destination({"file_name": "f"}, (v,), 1000) for v in "aab:a"]
    assert destinations == [A, A, B, ("g", "_"), A]


def test_a_files_events_are_grouped_by_destination_in_order_each_group_knowing_where_it_began():
    batches = {}

    class Recorder:
        def __init__(self, destination):
            self.destination = destination

        def add(self, run, key, origin, marked):
            batches.setdefault(self.destination, []).append([event[3] for event in run])
            return []
    router = Router("g", "{json:s}", record_defaults={"json:s": "unknown"})
    routes = RecordRoutes({})
    dispatch = RecordDispatch(router, routes, Recorder)
    dispatch.add(KEY, None, events(10, 20, 30, 40, 50), [("a",), ("b",), ("a",), ("a:",), ("a_",)], False, {})
    assert batches == {A: [[10, 30]], B: [[20]], ("g", "a_"): [[40, 50]]}  # a: and a_ are one name
    assert routes.accepted(KEY, A, 30) == 10  # b's events from 10 (after a's first) wait
    assert routes.accepted(KEY, B, 20) == 30  # a_ from 30
    assert routes.accepted(KEY, ("g", "a_"), 50) == 50


def test_past_max_destinations_events_go_to_the_defaults_names_with_one_warning(caplog):
    router = Router("g", "{json:s|rest}", record_defaults={"json:s|rest": "rest"}, max_destinations=2, section="s")
    with caplog.at_level(logging.WARNING, logger="awscli_cwlogs"):
        destinations = [router.record_destination({}, (v,), 1000) for v in "abcdabd"]
    assert [destination[1] for destination in destinations] == ["a", "b", "rest", "rest", "a", "b", "rest"]
    assert router.overflowed == {("g", "c"), ("g", "d")}
    assert len([r for r in caplog.records if "max_destinations = 2" in r.getMessage()]) == 1


def test_the_watermark_is_where_every_destination_had_all_before_it_accepted():
    routes = RecordRoutes({})
    routes.read(KEY, A, 0, 100)  # a's events from 0 to 100, b's from 40 to 120, c's from 60 to 80
    routes.read(KEY, B, 40, 120)
    routes.read(KEY, C, 60, 80)
    assert routes.accepted(KEY, C, 80) == 0  # a waits from 0
    assert routes.accepted(KEY, A, 50) == 40  # a has more after 50, b waits from 40
    assert routes.accepted(KEY, B, 120) == 50  # a's row skips up to 50 on a restart from there
    assert routes.accepted(KEY, A, 100) == 120  # nothing waits: the last event read
    routes.passed(KEY, 130)  # events the filters left out
    routes.read(KEY, A, 130, 150)
    assert routes.accepted(KEY, A, 150) == 150


def test_after_a_restart_each_destination_skips_what_it_had_accepted_and_no_more():
    rows = {routed_key(KEY, A): Position(routed_key(KEY, A)[0], "/l/app.log", 7, 50, 1.0),
            routed_key(KEY, B): Position(routed_key(KEY, B)[0], "/l/app.log", 7, 20, 1.0)}
    routes = RecordRoutes(routed_offsets(rows))
    assert [e[3] for e in routes.unsent(KEY, A, events(30, 50))] == []
    assert [e[3] for e in routes.unsent(KEY, A, events(60, 70))] == [60, 70]
    assert [e[3] for e in routes.unsent(KEY, B, events(10, 30))] == [30]
    assert [e[3] for e in routes.unsent(KEY, B, events(15))] == [15]  # past its row once: all new after
    assert [e[3] for e in routes.unsent(KEY, C, events(5))] == [5]  # no row: never sent anything


def test_routed_rows_are_kept_under_the_file_and_the_destination():
    key = routed_key(("abc", 9), ("grp", "svc/1"))
    assert key == ("abc\x1fgrp\x1fsvc/1", 9)
    assert routed_offsets({key: Position(key[0], "/p", 9, 33, 1.0)}) == {(("abc", 9), ("grp", "svc/1")): 33}
