"""The plugin in AWS CLI v2 (Debian's `apt-get install awscli`), loaded through
``cli_legacy_plugin_path``. Skipped where no v2 `aws` is installed at /usr/bin/aws."""
import shutil
from pathlib import Path

import configobj
import pytest

from tests.harness.awscli import AwsCli
from tests.harness.cliv2 import V2, v2_version
from tests.harness.pushagent import PushAgent, assert_delivered, section, stored_messages, wait_until, write_lines

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.skipif(v2_version() is None, reason="no AWS CLI v2 at /usr/bin/aws (apt-get install awscli)")


@pytest.fixture
def aws_v2(tmp_path, wire):
    """AWS CLI v2 with the plugin and configobj copied into a plugin folder, as the README says."""
    plugins = tmp_path / "cwlogs-plugin"
    shutil.copytree(ROOT / "awscli_cwlogs", plugins / "awscli_cwlogs")
    shutil.copytree(Path(configobj.__file__).parent, plugins / "configobj")
    cli = AwsCli(tmp_path / "home-v2", wire.url)
    cli.config_file.write_text(cli.config_file.read_text().replace(
        "[plugins]\n", f"[plugins]\ncli_legacy_plugin_path = {plugins}\n"))
    # Debian's 2.9 predates the endpoint_url setting (2.13): the endpoint goes on the command line
    cli.command = lambda *args: [str(V2), "--endpoint-url", wire.url, *map(str, args)]
    return cli


def test_push_a_file_and_pull_it_back_with_cli_v2(aws_v2, logs, wire, tmp_path):
    print(v2_version())
    log = tmp_path / "app.log"
    write_lines(log, 0, 20_000, mode="w")
    with PushAgent(aws_v2, tmp_path / "agent", {"app": section(log, "v2", "file")}) as agent:
        check = aws_v2.run("logs", "push", "--config-file", agent.config, "--check")
        assert check.returncode == 0 and check.stdout.endswith("no problems found\n"), check.stdout + check.stderr
        assert "event 1, line 1: no datetime_format: the time it is read | seq 000000000" in check.stdout
        assert wire.calls == []  # --check calls no AWS API
        agent.start()
        wait_until(lambda: wire.accepted_events("v2", "file") >= 20_000, 60, "20,000 events")
        assert agent.stop() == 0
    assert_delivered(logs, "v2", "file", range(20_000))
    pulled = aws_v2.run("logs", "pull", "--log-group-name", "v2", "--log-stream-name", "file",
                        "--output-format", "{message}")
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stdout == log.read_text()
    stdin = aws_v2.run("logs", "push", "--log-group-name", "v2", "--log-stream-name", "stdin", input="a\nb\n")
    assert stdin.returncode == 0, stdin.stderr
    assert stored_messages(logs, "v2", "stdin") == ["a", "b"]
