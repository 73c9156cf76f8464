"""Names from {file_name}, {env:NAME} and {date}, and publish_all_matching."""
import os
import time

from tests.harness.pushagent import PushAgent, section, stored_messages, wait_until

GROUP_TEMPLATE = "names-{env:CWLOGS_TEST_TEAM}"
STREAM_TEMPLATE = "{hostname}-{file_name}-{date}"


def day(seconds):
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def stamp(seconds):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))


def test_every_matching_file_into_its_own_stream_rolling_daily(aws, logs, wire, tmp_path):
    midnight = time.time() // 86_400 * 86_400
    folder = tmp_path / "logs"
    folder.mkdir()
    a_lines = [f"{stamp(midnight - 5 + i)} a line {i}" for i in range(10)]  # five yesterday, five today
    b_lines = [f"{stamp(midnight + i)} b line {i}" for i in range(5)]
    (folder / "a.log").write_text("".join(f"{line}\n" for line in a_lines))
    (folder / "b.log").write_text("".join(f"{line}\n" for line in b_lines))
    options = dict(datetime_format="%Y-%m-%d %H:%M:%S", time_zone="UTC", publish_all_matching="true")
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(folder / "*.log", GROUP_TEMPLATE, STREAM_TEMPLATE,
                                                               **options)})
    host = os.uname().nodename
    group = "names-payments"
    streams = {f"{host}-a.log-{day(midnight - 1)}": a_lines[:5], f"{host}-a.log-{day(midnight)}": a_lines[5:],
               f"{host}-b.log-{day(midnight)}": b_lines}
    env = {"CWLOGS_TEST_TEAM": "payments"}
    check = aws.run("logs", "push", "--config-file", agent.config, "--check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"names for a.log today: log group {group}, log stream {host}-a.log-{day(time.time())}" in check.stdout
    assert f"live     {folder / 'a.log'}" in check.stdout and f"live     {folder / 'b.log'}" in check.stdout
    with agent:
        agent.start(env=env)
        wait_until(lambda: all(wire.accepted_events(group, s) >= len(lines) for s, lines in streams.items()), 60,
                   "three streams")
        os.rename(folder / "a.log", folder / "a.log.1")  # rotation: the rest of a.log.1 stays in a.log's stream
        with open(folder / "a.log.1", "a") as out:
            out.write(f"{stamp(midnight + 20)} a late line\n")
        (folder / "a.log").write_text(f"{stamp(midnight + 30)} a new file\n")
        streams[f"{host}-a.log-{day(midnight)}"] += [f"{stamp(midnight + 20)} a late line",
                                                      f"{stamp(midnight + 30)} a new file"]
        wait_until(lambda: wire.accepted_events(group, f"{host}-a.log-{day(midnight)}") >= 7, 60, "the rotated lines")
        assert agent.stop() == 0
        agent.start(env=env)  # a restart resends nothing: the state is kept per section, not per day or file
        time.sleep(3)
        assert agent.stop() == 0
    for stream, lines in streams.items():
        assert sorted(stored_messages(logs, group, stream)) == sorted(lines), stream
    accepted = [c for c in wire.calls_of("PutLogEvents") if c.status == 200]
    assert {c.target[1] for c in accepted} == set(streams)


def test_an_unset_environment_variable_is_a_config_error(aws, tmp_path):
    agent = PushAgent(aws, tmp_path / "agent", {"app": section(tmp_path / "a.log", GROUP_TEMPLATE, "s")})
    result = aws.run("logs", "push", "--config-file", agent.config)  # the harness passes no such variable
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert ("[app] log_group_name: {env:CWLOGS_TEST_TEAM}: environment variable CWLOGS_TEST_TEAM is not set"
            in result.stderr)
