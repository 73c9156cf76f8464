"""The log group the agent creates: its class, KMS key, deletion protection and tags as configured (on the wire:
the local endpoint does not keep the class), and the one warning for a group of another class."""
import json
import time

from prometheus_client.parser import text_string_to_metric_families

from tests.harness.pushagent import PushAgent, section, settle, write_lines

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_the_created_group_carries_class_key_and_tags(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 10)
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(
        log, "cheap", "s", log_group_class="infrequent_access", kms_key_id=KEY,
        log_group_tags="team = ops, cost-center=4242, env:stage=prod")})
    with agent:
        agent.start()
        settle(wire, "cheap", "s", 10)
        assert agent.stop() == 0
    [create] = wire.calls_of("CreateLogGroup")
    assert create.body == {"logGroupName": "cheap", "logGroupClass": "INFREQUENT_ACCESS", "kmsKeyId": KEY,
                           "tags": {"team": "ops", "cost-center": "4242", "env:stage": "prod"}}


def test_a_created_group_can_be_of_the_delivery_class_and_protected_from_deletion(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 10)
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(
        log, "lambda-out", "s", log_group_class="delivery", deletion_protection="true")})
    with agent:
        agent.start()
        settle(wire, "lambda-out", "s", 10)
        assert agent.stop() == 0
    [create] = wire.calls_of("CreateLogGroup")
    assert create.body == {"logGroupName": "lambda-out", "logGroupClass": "DELIVERY", "deletionProtectionEnabled": True}


def test_a_group_of_another_class_is_one_warning_and_shipping_goes_on(aws, wire, logs, tmp_path):
    logs.create_stream("old", "other")  # the group exists already

    def standard_class(handler, forward):
        handler.reply(200, json.dumps({"logGroups": [{"logGroupName": "old", "logGroupClass": "STANDARD"}]}).encode())

    wire.faults.queue(standard_class, action="DescribeLogGroups", times=5)
    log = tmp_path / "app.log"
    write_lines(log, 0, 10)
    sections = {name: section(log, "old", name, log_group_class="infrequent_access") for name in ("a", "b")}
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        agent.start()
        settle(wire, "old", "a", 10)
        settle(wire, "old", "b", 10)
        assert agent.stop() == 0
        text = agent.log_text()
    warning = ("log group old exists in the STANDARD class, not INFREQUENT_ACCESS as log_group_class asks: "
               "a class cannot change after creation; shipping to it as it is")
    assert text.count(warning) == 2, text  # once per section, not once per stream or batch


def test_status_prints_the_billable_bytes_of_the_shipped_lines_across_restarts(aws, wire, logs, tmp_path):
    lines = [f"{i} {'é' * (i % 7)} 日本 line {'x' * (i * 13 % 300)}" for i in range(600)]
    log = tmp_path / "app.log"
    log.write_text("\n".join(lines[:500]) + "\n")
    textfile = tmp_path / "metrics.prom"
    sections = {"app": section(log, "g", "app"), "cold": section(log, "g", "cold", log_group_class="infrequent_access")}
    agent = PushAgent(aws, tmp_path / "agent", sections, {"price_per_gb": "standard=0.6", "metrics_interval": 1,
                                                          "metrics_textfile": str(textfile)})
    with agent:
        agent.start()
        settle(wire, "g", "app", 500)
        settle(wire, "g", "cold", 500)
        assert agent.stop() == 0
        with open(log, "a") as out:  # a second run adds to the counts in the state file
            out.write("\n".join(lines[500:]) + "\n")
        agent.start()
        settle(wire, "g", "app", 600)
        settle(wire, "g", "cold", 600)
        time.sleep(1.5)  # the text file's next interval
        assert agent.stop() == 0
    assert [e["message"] for e in logs.stored_events("g", "app")] == lines
    expected = sum(len(line.encode("utf-8")) + 26 for line in lines)
    in_second_run = sum(len(line.encode("utf-8")) + 26 for line in lines[500:])
    text = aws.run("logs", "push", "--config-file", agent.config, "--status").stdout
    assert f"  billable: {expected:,} bytes since the first run (under $0.01 at $0.60 per GB, standard class), " \
           f"{expected:,} in the last 24 hours (under $0.01)" in text, text
    assert f"at $0.25 per GB, infrequent_access class), {expected:,} in the last 24 hours" in text, text
    report = {s["section"]: s for s in json.loads(aws.run("logs", "push", "--config-file", agent.config,
                                                           "--status", "--json").stdout)["streams"]}
    assert report["app"]["billable_bytes"] == report["cold"]["billable_bytes"] == expected
    assert report["app"]["cost"] == expected / 2 ** 30 * 0.6 and report["cold"]["cost"] == expected / 2 ** 30 * 0.25
    metric = {s.labels["section"]: s.value for f in text_string_to_metric_families(textfile.read_text())
              for s in f.samples if s.name == "awslogs_push_billable_bytes_total"}
    assert metric == {"app": in_second_run, "cold": in_second_run}  # the agent's counters start at each run
