"""The log group the agent creates: its class, KMS key and tags as configured (on the wire:
the local endpoint does not keep the class), and the one warning for a group of another class."""
import json

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
