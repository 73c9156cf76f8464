"""Batches AWS accepts: count, bytes with 26 per event, 24 h span, sorted, timed."""
import gzip
import json

from awscli_cwlogs.cloudwatch.batch import Batcher, BodyFormat
from tests.harness.awsrules import put_log_events_violations


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def events(n, size=10, start=0, step=1, offset=0):
    return [(start + i * step, "x" * size, size, offset + (i + 1) * (size + 1)) for i in range(n)]


PLAIN = BodyFormat("g", "s", use_gzip=False)


def check(batch):
    body = json.loads(gzip.decompress(batch.body) if batch.compressed else batch.body)
    assert (body["logGroupName"], body["logStreamName"]) == ("g", "s")
    assert put_log_events_violations(body) == []
    assert [(e["timestamp"], e["message"]) for e in body["logEvents"]] == batch.events()
    return body["logEvents"]


def test_count_limit():
    batcher = Batcher(10_000, 1_048_576, 5000, PLAIN, Clock())
    full = batcher.add(events(25_000), "k", "src")
    assert [b.count for b in full] == [10_000, 10_000] and len(batcher) == 5000
    for batch in full:
        check(batch)


def test_byte_limit_counts_26_per_event():
    batcher = Batcher(10_000, 1_048_576, 5000, PLAIN, Clock())
    full = batcher.add(events(10_000, size=79), "k", "src")  # 790,000 bytes of text, 1,050,000 as AWS counts
    assert [b.count for b in full] == [9986] and full[0].size == 9986 * 105
    check(full[0])


def test_span_limit_and_sorting():
    batcher = Batcher(10_000, 1_048_576, 5000, PLAIN, Clock())
    day = 24 * 3600 * 1000
    full = batcher.add([(5, "b", 1, 1), (3, "a", 1, 2), (3, "a2", 1, 3), (day + 4, "c", 1, 4)], "k", "src")
    assert len(full) == 1
    assert [e["message"] for e in check(full[0])] == ["a", "a2", "b"]  # stable for equal timestamps
    assert [e["message"] for e in check(batcher.drain())] == ["c"]


def test_due_after_buffer_duration_from_the_first_event():
    clock = Clock()
    batcher = Batcher(10_000, 1_048_576, 1000, PLAIN, clock)
    batcher.add(events(3), "k", "src")
    clock.now = 0.9
    batcher.add(events(2, start=10), "k", "src")
    assert batcher.due() is None
    clock.now = 1.0
    assert batcher.due().count == 5
    assert batcher.due() is None


def test_checkpoints_are_the_last_offset_per_source():
    batcher = Batcher(3, 1_048_576, 5000, PLAIN, Clock())
    full = batcher.add(events(2, offset=0), "a", "file-a") + batcher.add(events(2, offset=100), "b", "file-b")
    assert full[0].checkpoints == {"a": ("file-a", 22), "b": ("file-b", 111)}
    assert batcher.drain().checkpoints == {"b": ("file-b", 122)}


def test_json_escapes_everything():
    batcher = Batcher(10, 1_048_576, 5000, PLAIN, Clock())
    odd = 'quote " backslash \\ tab \t nul \x00 newline \n ünï 😀'
    batcher.add([(1, odd, len(odd.encode()), 1)], "k", "src")
    assert check(batcher.drain())[0]["message"] == odd


def test_bodies_are_the_json_of_the_events_byte_for_byte():
    """Batches that need no escaping skip it: the body must be what JSON makes either way, for
    each character that needs escaping alone among plain messages, and for those that do not."""
    plain = ["plain ascii line", "ünïcödé 日本 😀", "del \x7f and \u2028 separators", ""]
    escaped = ['"', "\\", "\t", "\x00", "\x1f", "\n", "\r", "\x08", "\x0c"]
    for odd in [None] + escaped:
        for at in (0, 2, 3):
            messages = list(plain)
            if odd is not None:
                messages.insert(at, f"a{odd}b")
            batch = [(1_700_000_000_000 + i, m, len(m.encode()), i) for i, m in enumerate(messages)]
            expected = '{"logGroupName": "g", "logStreamName": "s","logEvents":' + json.dumps(
                [{"timestamp": t, "message": m} for t, m, _, _ in batch], ensure_ascii=False, separators=(",", ":")) + "}"
            assert PLAIN.encode(batch) == expected.encode(), (odd, at)


def test_gzipped_bodies_decode_to_the_same_events():
    batcher = Batcher(10_000, 1_048_576, 5000, BodyFormat("g", "s", use_gzip=True), Clock())
    batcher.add(events(1000, size=100), "k", "src")
    batch = batcher.drain()
    assert batch.compressed and len(batch.body) < 1000 * 100 / 5  # queued compressed: small in memory
    assert len(check(batch)) == 1000


def test_list_wise_add_cuts_where_the_event_by_event_loop_does():
    import random
    rng = random.Random(3)
    events, offset, clock = [], 0, 1_795_000_000_000
    exact = [4070] * 255 + [4080]  # 255 x 4096 leave 4096 bytes: the next, 4080 + 26, must not fit
    for number in range(20_000):
        clock += 1 if number < len(exact) else rng.choice([1, 5, 1000, 3_600_000 * rng.choice([0, 0, 0, 30])])
        size = exact[number] if number < len(exact) else rng.choice([1, 10, 170, 5_000, 200_000])  # jumps: 30 h
        offset += size + 1
        events.append((clock - rng.randint(0, 50), "m", size, offset))
    for max_count in (500, 10_000):
        made = {}
        for way in ("add", "_add_each"):
            batcher = Batcher(max_count, 1_048_576, 5000, BodyFormat("g", "s", use_gzip=False))
            batches, position = [], 0
            while position < len(events):
                size = rng.randint(1, 3000)
                batches += getattr(batcher, way)(events[position:position + size], "k", "source")
                position += size
            batches.append(batcher.drain())
            made[way] = [(b.count, b.size, b.checkpoints) for b in batches]
        assert made["add"] == made["_add_each"] and len(made["add"]) > 30
        assert max(size for _, size, _ in made["add"]) <= 1_048_576
        first = 0  # the batches hold the events in turn: each one's size is theirs, 26 bytes each added
        for count, size, _ in made["add"]:
            assert size == sum(event[2] for event in events[first:first + count]) + 26 * count
            first += count


def test_a_full_batch_keeps_only_the_offsets_of_the_sources_whose_events_it_holds():
    for way in ("add", "_add_each"):
        batcher = Batcher(3, 1_048_576, 5000, BodyFormat("g", "s", use_gzip=False))
        rotated = [(1000 + i, "r", 1, 10 * (i + 1)) for i in range(3)]  # fills the batch
        live = [(2000 + i, "l", 1, 5 * (i + 1)) for i in range(2)]
        assert getattr(batcher, way)(rotated, "rotated", "R") == []
        [first] = getattr(batcher, way)(live, "live", "L")
        assert first.checkpoints == {"rotated": ("R", 30)}, way  # not the live file at the rotated file's offset
        assert batcher.drain().checkpoints == {"live": ("L", 10)}


def test_an_event_over_the_byte_limit_does_not_stall_the_batcher():
    batcher = Batcher(10, 100, 5000, BodyFormat("g", "s", use_gzip=False))
    batches = batcher.add([(1, "a" * 10, 10, 11), (2, "b" * 200, 200, 212), (3, "c", 1, 214)], "k", "source")
    assert [b.count for b in batches + [batcher.drain()]] == [1, 1, 1]  # as before: the service refuses the big one
