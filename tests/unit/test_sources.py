"""Every kind keeps the SourceKind interface and every source the Source one (sources/base.py),
so the agent, the config and the reports need nothing kind-specific."""
import inspect

import pytest

from awscli_cwlogs.config import settings
from awscli_cwlogs.sources.kinds import KINDS, kind_of, open_source
from awscli_cwlogs.sources.base import Source, SourceKind
from awscli_cwlogs.sources.containers.source import ContainerSource
from awscli_cwlogs.sources.tail.matching import EveryMatchTailer
from awscli_cwlogs.sources.tail.tailer import FileTailer
from awscli_cwlogs.sources.journal.source import JournaldSource
from awscli_cwlogs.sources.stdin import StdinSource
from tests.harness.sections import make_stream


def _members(protocol):
    """name -> the protocol's function, or None for a data member."""
    return {**{name: None for name in protocol.__annotations__},
            **{name: member for name, member in vars(protocol).items() if not name.startswith("_") and callable(member)}}


def _same_signature(cls, protocol, name):
    """The protocol's parameters, by name and in order; any more must have defaults."""
    wanted = list(inspect.signature(getattr(protocol, name)).parameters)
    found = list(inspect.signature(getattr(cls, name)).parameters.values())
    return [p.name for p in found[:len(wanted)]] == wanted and all(
        p.default is not inspect.Parameter.empty for p in found[len(wanted):])


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_keeps_the_kind_interface(name):
    kind = KINDS[name]
    assert isinstance(kind, SourceKind) and kind.name == name
    for member, value in _members(SourceKind).items():
        assert hasattr(kind, member), f"{name} lacks {member}"
        if callable(value):
            assert _same_signature(type(kind), SourceKind, member), f"{name}.{member} differs from the protocol"
    assert all(callable(check) for check in kind.keys.values())


@pytest.mark.parametrize("cls", [FileTailer, EveryMatchTailer, ContainerSource, JournaldSource, StdinSource])
def test_each_source_keeps_the_source_interface(cls):
    for member, value in _members(Source).items():
        if callable(value):  # data members (busy) are set per instance: test_open_source_... checks them
            assert hasattr(cls, member), f"{cls.__name__} lacks {member}"
            assert _same_signature(cls, Source, member), f"{cls.__name__}.{member} differs from the protocol"


def test_the_config_takes_each_kinds_keys_and_only_for_that_kind():
    for name, kind in KINDS.items():
        for key, check in kind.keys.items():
            assert settings.stream_keys(KINDS)[key] is check
            assert name in settings.only_for(KINDS)[key]
    assert settings.only_for(KINDS)["file"] == ("file", "cri")
    assert settings.only_for(KINDS)["multi_line_start_pattern"] == ("file", "docker", "cri")
    assert settings.only_for(KINDS)["units"] == ("journald",)
    assert "log_group_name" not in settings.only_for(KINDS)  # every kind's


def test_a_kinds_defaults_fill_what_a_section_leaves_out(tmp_path):
    conf = tmp_path / "awslogs.conf"
    conf.write_text(f"[general]\nstate_file = {tmp_path / 'state'}\n[pods]\nsource = cri\n")
    stream = settings.load_config(str(conf), resolve_placeholder=lambda name: "host-1", kinds=KINDS).streams[0]
    assert (stream.options.file, stream.log_group_name, stream.log_stream_name) == (
        "/var/log/containers/*.log", "host-1", "{namespace}/{pod}/{container_name}")
    assert kind_of(stream) is KINDS["cri"] and kind_of(stream).routes_per_origin


def test_open_source_picks_the_kinds_source(tmp_path):
    stream = make_stream(section="s", log_group_name="g", log_stream_name="s", file=str(tmp_path / "*.log"))
    source = open_source(stream, {}, False)
    try:
        assert isinstance(source, FileTailer) and isinstance(source, Source)
    finally:
        source.close()
    every = open_source(make_stream(section="s", log_group_name="g", log_stream_name="s",
                                              file=str(tmp_path / "*.log"), publish_all_matching=True), {}, False)
    try:
        assert isinstance(every, EveryMatchTailer)
    finally:
        every.close()
