"""Structured (JSON) lines and masking, through the real agent: each time form a record may carry,
every stored timestamp and message checked exactly, restarts and kill -9; masks that leave no
masked value in anything the agent writes."""
import json
import sqlite3
import time
from datetime import datetime, timedelta, timezone

from tests.harness.containers import DockerContainer
from tests.harness.pushagent import PushAgent, audit, section, stored_messages, wait_until

GROUP = "structured"
LIMIT = 1_048_550  # the service's limit on one event's message bytes


def iso(ms, offset_minutes=0, digits=3, zone=True):
    """``ms`` as ISO 8601 text at a UTC offset, with ``digits`` of fraction."""
    moment = datetime.fromtimestamp(ms / 1000, timezone(timedelta(minutes=offset_minutes)))
    fraction = f"{ms % 1000:03d}".ljust(digits, "7")[:digits]  # nanoseconds: digits past the millisecond
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "")
    if not zone:
        return text
    if offset_minutes == 0:
        return text + "Z"
    sign, minutes = ("+" if offset_minutes > 0 else "-"), abs(offset_minutes)
    return text + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def whole_second(at):
    return at // 1000 * 1000


# each time form a record may carry: (its value for the instant ``at`` in ms, what the agent stores)
TIME_FORMS = [
    (lambda at: at // 1000, whole_second),  # epoch seconds
    (lambda at: at // 1000 + 0.25, lambda at: whole_second(at) + 250),  # with a fraction
    (lambda at: at, None),  # epoch milliseconds
    (lambda at: at * 1000 + 999, None),  # microseconds
    (lambda at: at * 1_000_000 + 999_999, None),  # nanoseconds
    (str, None),  # milliseconds written as text
    (iso, None),  # 2026-12-06T10:00:00.123Z
    (lambda at: iso(at, 330), None),  # +05:30
    (lambda at: iso(at, -480), None),  # -08:00
    (lambda at: iso(at, zone=False), None),  # no offset: the section's time_zone (UTC)
    (lambda at: iso(at, digits=9), None),  # nanoseconds
    (lambda at: iso(at, digits=0), whole_second),
    (lambda at: iso(at, 330, digits=6), None),
]


def json_lines(start, count, base_ms):
    """Lines numbered start.., each a second after the one before, with every time form in turn
    under ``ts.at``; every seventh misses its time field, every eleventh is not JSON at all (both
    take the previous record's time). Returns (lines, [(timestamp, message)] expected)."""
    lines, expected, last = [], [], None
    for n in range(start, start + count):
        at = base_ms + n * 1000 + n % 1000
        make, stored_as = TIME_FORMS[n % len(TIME_FORMS)]
        text = f"seq {n:09d} from the billing service"
        if n and n % 11 == 0:
            line = f"plain {text}"
        elif n and n % 7 == 0:
            line = json.dumps({"level": "info", "msg": text, "ts": {"other": 1}})
        else:
            line = json.dumps({"level": "info", "msg": text, "ts": {"at": make(at)}})
            last = (stored_as or (lambda moment: moment))(at)
        lines.append(line)
        expected.append((last, line))
    return lines, expected


def stored_pairs(logs, stream):
    return sorted((event["timestamp"], event["message"]) for event in logs.stored_events(GROUP, stream))


def json_section(path, stream, **extra):
    return section(path, GROUP, stream, **{"log_format": "json", "timestamp_key": "ts.at", "time_zone": "UTC", **extra})


def test_every_time_form_nested_missing_and_not_json_stored_exactly_across_restarts_and_kill_9(aws, logs, wire,
                                                                                            tmp_path):
    log = tmp_path / "app.log"
    base = (int(time.time()) - 6 * 3600) * 1000  # the records span the last 6 hours
    first, expected = json_lines(0, 10_000, base)
    log.write_text("".join(line + "\n" for line in first))
    with PushAgent(aws, tmp_path / "agent", {"app": json_section(log, "app")}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events(GROUP, "app") >= 3_000, 60, "3,000 accepted events")
        agent.kill()  # kill -9 mid-file
        more, expected_more = json_lines(10_000, 10_000, base)
        with open(log, "a") as out:
            out.write("".join(line + "\n" for line in more))
        agent.start()
        size = log.stat().st_size  # accepted events count those sent twice: the state file says when all are
        wait_until(lambda: watermark(agent.state_file) >= size, 120, "the whole file accepted")
        assert agent.stop() == 0
        agent.start()  # a clean restart sends nothing again
        time.sleep(2.5)
        assert agent.stop() == 0
    stored = stored_pairs(logs, "app")
    lost, duplicated = audit([message for _, message in stored], range(20_000))
    assert lost == []
    assert duplicated <= 10_000  # at most the batch in flight at the kill
    assert_times(stored, expected + expected_more)
    status = aws.run("logs", "push", "--config-file", agent.config, "--status", "--json")
    [section_status] = json.loads(status.stdout)["streams"]
    plain = sum(1 for _, line in expected + expected_more if line.startswith("plain"))
    assert section_status["not_json"] == plain == 1_818  # counted once each, whatever was sent twice


def assert_times(stored, expected):
    """Every stored event has its record's time exactly; a line without one has the previous
    record's, or (the first read after a restart, which knows no previous record) the time it
    was read, which is after the last record's time."""
    timed = {message: at for at, message in expected}
    untimed = {message for message, at in timed.items() if not message.startswith("{") or '"other"' in message}
    latest = max(timed.values())
    for at, message in stored:
        if message in untimed and at != timed[message]:
            assert at > latest, (at, message)
        else:
            assert at == timed[message], (at, timed[message], message)
    assert {message for _, message in stored} == set(timed)


SECRETS = {  # detector -> a value it masks
    "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "bearer_token": "mF_9.B5f-4.1JqM",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "email": "jane.doe@example.org",
    "credit_card": "4111 1111 1111 1111",
    "ipv4": "203.0.113.77",
    "ipv6": "2001:db8:85a3::8a2e:370:7334",
}
NEAR_MISSES = ["order 4111111111111112 shipped", "id xAKIAQWERTYUIOPASDFGH", "at 10:00:00 std::vector",
               "the bearer of bad news", "version 1.2.3.4.5"]
MASK_TEXT = "[REDACTED-BY-POLICY]"


def masking_lines():
    """(lines, what each line must be stored as, the values that must appear nowhere)."""
    lines, stored = [], []
    for n, (name, value) in enumerate(SECRETS.items()):
        prefix = {"aws_secret_access_key": "aws_secret_access_key=", "bearer_token": "Authorization: Bearer "}
        line = f"seq {n:09d} {name}: {prefix.get(name, '')}{value} done"
        lines.append(line)
        stored.append(line.replace(value, MASK_TEXT))
    for n, text in enumerate(NEAR_MISSES, len(SECRETS)):
        lines.append(f"seq {n:09d} {text}")
        stored.append(lines[-1])
    n = len(lines)
    record = {"msg": f"seq {n:09d} nested", "user": {"password": "hunter2-secret", "name": "jane",
                                                      "cards": [{"password": "p4ss-secret", "last4": "1111"}]},
              "debug": {"trace": "drop-me-secret"}, "token": "tok-secret-value"}
    lines.append(json.dumps(record))
    stored.append(json.dumps({"msg": f"seq {n:09d} nested", "user": {"password": MASK_TEXT, "name": "jane", "cards": [
        {"password": MASK_TEXT, "last4": "1111"}]}, "token": MASK_TEXT}, separators=(",", ":")))
    # just over the limit, under it once masked: one event
    long_email = "a" * 200 + "@example.org"
    pad = LIMIT + 50 - len(f"seq {n + 1:09d}  {long_email}")
    lines.append(f"seq {n + 1:09d} {'y' * pad} {long_email}")
    stored.append(f"seq {n + 1:09d} {'y' * pad} {MASK_TEXT}")
    # just under the limit, over it once masked (each short address grows): two events
    short_emails = " ".join(f"u{i}@ex.io" for i in range(20))
    pad = LIMIT - 10 - len(f"seq {n + 2:09d}  {short_emails}")
    lines.append(f"seq {n + 2:09d} {'z' * pad} {short_emails}")
    grown = f"seq {n + 2:09d} {'z' * pad} " + " ".join([MASK_TEXT] * 20)
    stored += [grown[:LIMIT], grown[LIMIT:]]
    secrets = list(SECRETS.values()) + ["hunter2-secret", "p4ss-secret", "drop-me-secret", "tok-secret-value",
                                        long_email, "u7@ex.io"]
    return lines, stored, secrets


def test_masked_values_appear_nowhere_and_sizes_are_cut_after_masking(aws, logs, wire, tmp_path):
    lines, expected, secrets = masking_lines()
    log = tmp_path / "app.log"
    log.write_text("".join(line + "\n" for line in lines))
    masks = {"mask_detectors": ", ".join(SECRETS), "mask_text": MASK_TEXT, "mask_fields": "password, token",
             "drop_fields": "debug"}
    app = section(log, GROUP, "masked", log_format="json", **masks)
    with PushAgent(aws, tmp_path / "agent", {"app": app}) as agent:
        agent.start("--debug")
        wait_until(lambda: wire.accepted_events(GROUP, "masked") >= len(expected), 60, "every event")
        time.sleep(1.0)
        assert agent.stop() == 0
        check = aws.run("logs", "push", "--config-file", agent.config, "--check", "--debug")
        status = aws.run("logs", "push", "--config-file", agent.config, "--status", "--debug")
    stored = stored_messages(logs, GROUP, "masked")
    assert stored == expected
    shrunk, grown = lines[-2:]
    assert len(shrunk.encode()) > LIMIT >= len(stored[-3].encode())  # over the limit as read: one event once masked
    assert len(grown.encode()) <= LIMIT == len(stored[-2].encode())  # under it as read: two events once masked
    written = {"stored events": "\n".join(stored), "the agent's --debug log": agent.log_text(),
               "--check": check.stdout + check.stderr, "--status": status.stdout + status.stderr,
               "the state file": agent.state_file.read_bytes().decode("latin-1")}
    assert "masked in them: " in check.stdout and MASK_TEXT in check.stdout
    assert "PutLogEvents" in agent.log_text()  # --debug shows the requests
    for where, text in written.items():
        for secret in secrets:
            assert secret not in text, f"{secret} in {where}"
    status_json = json.loads(aws.run("logs", "push", "--config-file", agent.config, "--status", "--json").stdout)
    assert status_json["streams"][0]["masked"] == len(SECRETS) + 3 + 1 + 20  # detectors, 3 fields, long and short lines


SERVICES = [f"svc-{n:02d}" for n in range(20)]


def service_lines(start, count, base_ms):
    """Numbered JSON lines of 20 services in turn (each service's own numbers in order too)."""
    return [json.dumps({"time": base_ms + n, "service": SERVICES[n % 20], "msg": f"seq {n:09d} payload " + "x" * 60})
            for n in range(start, start + count)]


def test_twenty_services_through_one_file_into_twenty_streams_across_kill_9_and_restarts(aws, logs, wire, tmp_path):
    log = tmp_path / "app.log"
    base = (int(time.time()) - 3600) * 1000
    log.write_text("".join(line + "\n" for line in service_lines(0, 100_000, base)))
    app = json_section(log, "{json:service|none}", timestamp_key="time")
    with PushAgent(aws, tmp_path / "agent", {"app": app}) as agent:
        agent.start()
        wait_until(lambda: sum(wire.accepted_events(GROUP, s) for s in SERVICES) >= 30_000, 60, "30,000 events")
        agent.kill()  # kill -9 while the 20 streams are in flight
        with open(log, "a") as out:
            out.write("".join(line + "\n" for line in service_lines(100_000, 20_000, base)))
        agent.start()
        size = log.stat().st_size
        wait_until(lambda: watermark(agent.state_file) >= size, 120, "the whole file accepted in every stream")
        assert agent.stop() == 0
        calls = len(wire.calls_of("PutLogEvents"))
        agent.start()  # a clean restart sends nothing again
        time.sleep(2.5)
        assert agent.stop() == 0
        assert len(wire.calls_of("PutLogEvents")) == calls
    duplicated_total = 0
    for number, service in enumerate(SERVICES):
        messages = stored_messages(logs, GROUP, service)
        lost, duplicated = audit(messages, range(number, 120_000, 20))
        assert lost == [], f"{service}: {len(lost)} lost"
        assert all(f'"service": "{service}"' in message for message in messages)
        duplicated_total += duplicated
    # one batch per stream may have been in flight at the kill (the publisher sends one at a time)
    assert duplicated_total <= 10_000
    # batches, not a request per line however the services' lines interleave
    sent = sum(call.event_count for call in wire.calls_of("PutLogEvents"))
    assert sent / calls >= 50, (sent, calls)
    print(f"20 services: {calls} PutLogEvents calls ({sent / calls:.0f} events each), {duplicated_total} duplicated "
          "after kill -9")


def watermark(state_file):
    """The file's own row in the state file: where a restart reads from (0 before there is one)."""
    try:
        db = sqlite3.connect(f"file:{state_file}?mode=ro", uri=True)
        try:
            return db.execute("SELECT max(offset) FROM positions WHERE instr(fingerprint, char(31)) = 0"
                              ).fetchone()[0] or 0
        finally:
            db.close()
    except sqlite3.Error:  # not created yet
        return 0


def test_a_containers_json_records_pick_their_stream_and_a_restart_sends_nothing_twice(aws, logs, wire, tmp_path):
    root = tmp_path / "docker"
    app = DockerContainer(root, "gateway")
    base = (int(time.time()) - 3600) * 1000
    app.write([line + "\n" for line in service_lines(0, 3_000, base)])
    docker = {"source": "docker", "docker_root": str(root), "log_group_name": GROUP, "buffer_duration": 200,
              "log_stream_name": "{container_name}/{json:service}", "log_format": "json", "timestamp_key": "time"}
    streams = [f"gateway/{service}" for service in SERVICES]
    with PushAgent(aws, tmp_path / "agent", {"containers": docker}) as agent:
        agent.start()
        wait_until(lambda: sum(wire.accepted_events(GROUP, s) for s in streams) >= 3_000, 60, "3,000 events")
        time.sleep(0.5)
        assert agent.stop() == 0
        app.write([line + "\n" for line in service_lines(3_000, 1_000, base)])
        agent.start()
        wait_until(lambda: sum(wire.accepted_events(GROUP, s) for s in streams) >= 4_000, 60, "4,000 events")
        time.sleep(1.5)
        assert agent.stop() == 0
    for number, stream in enumerate(streams):
        messages = stored_messages(logs, GROUP, stream)
        assert audit(messages, range(number, 4_000, 20)) == ([], 0), stream
        assert [event["timestamp"] for event in logs.stored_events(GROUP, stream)] == [
            base + n for n in range(number, 4_000, 20)]


def test_text_lines_with_epoch_and_iso8601_times_at_the_start_or_where_a_pattern_says(aws, logs, wire, tmp_path):
    base = (int(time.time()) - 3600) * 1000
    cases = {  # section: (datetime_format, timestamp_pattern or None, the line of n with its time at)
        "epoch-start": ("epoch", None, lambda n, at: f"{at / 1000:.3f} seq {n:09d} GET /"),
        "epoch-pattern": ("epoch_ms", r"ts=(\d+)", lambda n, at: f"seq {n:09d} GET / ts={at} 200"),
        "iso": ("iso8601", None, lambda n, at: f"seq {n:09d} at {iso(at, 330, digits=9)} done"),
    }
    sections = {}
    for name, (fmt, pattern, line) in cases.items():
        path = tmp_path / f"{name}.log"
        path.write_text("".join(line(n, base + n * 7) + "\n" for n in range(500)))
        sections[name] = section(path, GROUP, name, datetime_format=fmt, **(
            {"timestamp_pattern": pattern} if pattern else {}))
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        agent.start()
        wait_until(lambda: all(wire.accepted_events(GROUP, name) >= 500 for name in cases), 60, "every line")
        assert agent.stop() == 0
    for name in cases:
        assert [event["timestamp"] for event in logs.stored_events(GROUP, name)] == [
            base + n * 7 for n in range(500)], name
