"""config/names.py: which placeholders a name may use, resolving them, and the service's name rules."""
import socket

import pytest

from awscli_cwlogs.config import names
from awscli_cwlogs.config.hostinfo import HostInfo
from awscli_cwlogs.config.names import check_name, expand, has_per_file_placeholders, origin_placeholders
from awscli_cwlogs.sources.kinds import KINDS


def resolve_name(key, value, kind, resolve):
    """As the config calls it: the section's SourceKind, and every kind to name a misplaced placeholder's."""
    return names.resolve_name(key, value, KINDS[kind], resolve, KINDS.values())


def test_start_placeholders_resolve_and_per_origin_ones_stay(monkeypatch):
    monkeypatch.setenv("TEAM", "pay")
    looked_up = []
    resolve = lambda name: looked_up.append(name) or {"hostname": "web-1", "instance_id": "i-0abc"}[name]  # noqa: E731
    assert resolve_name("log_stream_name", "{env:TEAM}/{hostname}/{file_name}/{date}", "file", resolve) == \
        "pay/web-1/{file_name}/{date}"
    assert resolve_name("log_group_name", "/{instance_id}/{container_name}", "docker", resolve) == "/i-0abc/{container_name}"
    assert resolve_name("log_group_name", "{label:team}", "docker", resolve) == "{label:team}"
    assert looked_up == ["hostname", "instance_id"]
    assert resolve_name("log_stream_name", "{hostname}", "file", None) == "{hostname}"  # --check: nothing looked up


@pytest.mark.parametrize("value, kind, reason", [
    ("{unit}", "file", "{unit} is only for source = journald"),
    ("{file_name}", "journald", "{file_name} is only for files"),
    ("{container_name}", "file", "{container_name} is only for source = docker or source = cri"),
    ("{label:x}", "cri", "{label:x} is only for source = docker"),
    ("{host}", "file", "unknown placeholder {host}; known: {instance_id}, {hostname}, {ip_address}, {node_name}, "
                       "{file_name}, {date}, {env:NAME}"),
    ("{env:CWLOGS_TEST_NOT_SET}", "file", "environment variable CWLOGS_TEST_NOT_SET is not set"),
])
def test_a_misplaced_or_unknown_placeholder_says_why(value, kind, reason):
    with pytest.raises(ValueError) as error:
        resolve_name("log_stream_name", value, kind, lambda name: "x")
    assert reason in str(error.value)


def test_a_name_the_service_refuses_is_caught_at_start_with_sample_values():
    with pytest.raises(ValueError, match="is not a log group name"):
        resolve_name("log_group_name", "app:{hostname}", "file", lambda name: "h")
    with pytest.raises(ValueError, match="is not a log stream name"):
        resolve_name("log_stream_name", "{hostname}*", "file", lambda name: "h")


def test_check_name_follows_the_service_rules():
    assert check_name("log_group_name", "/aws/app-1_x.y#z") == "/aws/app-1_x.y#z"
    for bad in ("", "a b", "a:b", "x" * 513):
        with pytest.raises(ValueError):
            check_name("log_group_name", bad)
    assert check_name("log_stream_name", "pod 1/é") == "pod 1/é"  # streams allow more than groups
    for bad in ("", "a:b", "a*", "x" * 513):
        with pytest.raises(ValueError):
            check_name("log_stream_name", bad)


def test_expand_makes_origin_values_safe_and_fills_the_date():
    assert expand("{container_name}/{date}", {"container_name": "web:1 (blue)"}, "2026-12-03") == "web_1__blue_/2026-12-03"
    assert origin_placeholders("{hostname}/{file_name}/{label:team}/{date}") == ["file_name", "label:team"]
    assert has_per_file_placeholders("app-{date}") and has_per_file_placeholders("{unit}")
    assert not has_per_file_placeholders("{hostname}/app")


def test_node_name_is_the_downward_apis_node_else_the_hostname(monkeypatch):
    monkeypatch.setenv("NODE_NAME", "ip-10-0-3-7.eu-west-1.compute.internal")
    assert HostInfo()("node_name") == "ip-10-0-3-7.eu-west-1.compute.internal"
    assert resolve_name("log_stream_name", "{node_name}/{namespace}/{pod}", "cri", HostInfo()) == \
        "ip-10-0-3-7.eu-west-1.compute.internal/{namespace}/{pod}"
    monkeypatch.delenv("NODE_NAME")
    assert HostInfo()("node_name") == socket.gethostname()
