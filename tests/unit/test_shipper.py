"""agent/shipper.py and config/configuration.py: loading the config for a run, and what a reload
(SIGHUP, or changed parameters) keeps, stops and starts."""
import types

import pytest

from awscli_cwlogs.agent import shipper
from awscli_cwlogs.config.configuration import AgentConfiguration
from awscli_cwlogs.agent.lifecycle import Lifecycle
from awscli_cwlogs.agent.shipper import Shipper
from awscli_cwlogs.config.origin import ConfigOrigin, Fetched
from awscli_cwlogs.sources.kinds import KINDS
from awscli_cwlogs.config.settings import AgentConfig, ConfigError, GeneralConfig
from tests.harness.sections import make_stream


class Session:
    available_profiles = ["default", "shipping"]


def args(config_file, extra_dir=None):
    return types.SimpleNamespace(config_file=str(config_file), additional_configs_dir=extra_dir, dry_run=True)


def write_config(tmp_path, profile):
    path = tmp_path / "awslogs.conf"
    path.write_text(f"[general]\nstate_file = {tmp_path / 'state'}\n[app]\nfile = /l/app.log\n"
                    f"log_group_name = g\nlog_stream_name = s\nprofile = {profile}\n")
    return path


def load_agent_config(session, arguments):
    return AgentConfiguration(session, None, ConfigOrigin(arguments.config_file), kinds=KINDS).load(Fetched())


def test_a_profile_missing_from_the_aws_config_is_a_config_error(tmp_path):
    assert load_agent_config(Session(), args(write_config(tmp_path, "shipping"))).streams[0].profile == "shipping"
    with pytest.raises(ConfigError) as error:
        load_agent_config(Session(), args(write_config(tmp_path, "nope")))
    assert "[app] profile: no profile 'nope' in the AWS config and credentials files (there: default, shipping)" \
        in str(error.value)


class FakePipeline:
    def __init__(self, stream):
        self.stream = stream
        self.stopped = self.started = False
        self.thread = types.SimpleNamespace(start=self._start)

    def _start(self):
        self.started = True

    def stop(self):
        self.stopped = True


def section(name, **extra):
    return make_stream(section=name, log_group_name="g", log_stream_name=name, file=f"/l/{name}.log", **extra)


GENERAL = GeneralConfig(state_file="state")


class FakeConfiguration:
    def __init__(self, fresh):
        self.load = lambda fetched: fresh()
        self.origin = ConfigOrigin("awslogs.conf")
        self.applied_ones = []

    def applied(self, fetched):
        self.applied_ones.append(fetched)


def reload_with(monkeypatch, fresh, running):
    retired = []
    configuration = FakeConfiguration(fresh)
    ship = Shipper(Session(), args("awslogs.conf"), None, Lifecycle(5), configuration)
    after = ship._reload(running, GENERAL, FakePipeline, Fetched(), retired.append, None)
    return after, retired


def test_a_reload_keeps_unchanged_sections_and_replaces_changed_and_removed_ones(monkeypatch):
    running = [FakePipeline(section("same")), FakePipeline(section("changed")), FakePipeline(section("removed"))]
    fresh = AgentConfig(GENERAL, (section("same"), section("changed", buffer_duration=300), section("added")))
    after, retired = reload_with(monkeypatch, lambda: fresh, running)
    assert after[0] is running[0] and not running[0].stopped
    assert running[1].stopped and running[2].stopped and retired == running[1:]
    assert [(p.stream.section, p.started) for p in after[1:]] == [("changed", True), ("added", True)]
    assert after[1].stream.buffer_duration == 300


def test_a_reload_with_a_config_problem_changes_nothing(monkeypatch, caplog):
    monkeypatch.setattr(shipper.LOG, "propagate", True)  # to caplog's handler, whatever ran before
    running = [FakePipeline(section("same"))]

    def broken():
        raise ConfigError("awslogs.conf: [same] batch_count: 0 is outside 1..10000")
    after, retired = reload_with(monkeypatch, broken, running)
    assert after == running and not running[0].stopped and retired == []
    assert "reload refused, the running configuration stays: awslogs.conf: [same] batch_count" in caplog.text
