"""Bad configuration stops the agent before it starts: one line naming file, section and key."""
import pytest

BASE = {"file": "/var/log/app.log", "log_group_name": "app", "log_stream_name": "web-1"}


def conf(**changes):
    values = {**BASE, **changes}
    return "[app]\n" + "".join(f"{k} = {v}\n" for k, v in values.items() if v is not None)


CASES = [
    (conf(colour="blue"), "[app] colour: unknown key"),
    (conf(initial_position="middle"), "[app] initial_position: 'middle' is not one of"),
    (conf(multi_line_start_pattern="^(unclosed"), "[app] multi_line_start_pattern: '^(unclosed' is not a valid regular expression"),
    (conf(file_fingerprint_lines="3-"), "[app] file_fingerprint_lines: '3-' is not N or N-M"),
    (conf(file_fingerprint_lines="5-2"), "[app] file_fingerprint_lines: '5-2' is not N or N-M with 1 <= N <= M"),
    (conf(batch_count="0"), "[app] batch_count: 0 is outside 1..10000"),
    (conf(batch_count="10001"), "[app] batch_count: 10001 is outside 1..10000"),
    (conf(batch_size="1048577"), "[app] batch_size: 1048577 is outside 1..1048576"),
    (conf(encoding="klingon"), "[app] encoding: 'klingon' is not an encoding"),
    (conf(time_zone="Mars/Olympus"), "[app] time_zone: 'Mars/Olympus' is not LOCAL or UTC"),
    (conf(datetime_format="%Y-%m-%d %Q"), "[app] datetime_format: %Q"),
    (conf(retention_in_days="10"), "[app] retention_in_days: 10 is not a retention AWS allows"),
    (conf(file=None), "[app] file: missing (required)"),
    (conf(log_group_name=None), "[app] log_group_name: missing (required)"),
    (conf(log_stream_name=None), "[app] log_stream_name: missing (required)"),
    (conf(log_stream_name="{rack}"), "[app] log_stream_name: unknown placeholder {rack}"),
]


def one_line(result):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[1].split(":")[0] + c[1].split(":")[1][:12] for c in CASES])
def test_each_config_error_is_one_line(aws, wire, tmp_path, text, expected):
    path = tmp_path / "awslogs.conf"
    path.write_text(text)
    line = one_line(aws.run("logs", "push", "--config-file", path))
    assert line.startswith(f"aws logs push: {path}: ") and expected in line
    assert wire.calls == []


def test_a_section_defined_twice_names_both_files(aws, tmp_path):
    main = tmp_path / "awslogs.conf"
    main.write_text(conf())
    extra = tmp_path / "conf.d"
    extra.mkdir()
    (extra / "app.conf").write_text(conf())
    line = one_line(aws.run("logs", "push", "--config-file", main, "--additional-configs-dir", extra))
    assert line == f"aws logs push: {extra / 'app.conf'}: [app] is already defined in {main}"


@pytest.mark.parametrize("args, expected", [
    (["--config-file", "/nonexistent/awslogs.conf"], "/nonexistent/awslogs.conf: no such config file"),
    (["--log-group-name", "g"], "--log-group-name and --log-stream-name are required"),
    (["--log-group-name", "g", "--log-stream-name", "s", "--batch-count", "0"], "--batch-count: 0 is outside 1..10000"),
    (["--log-group-name", "g", "--log-stream-name", "s", "--time-zone", "PST"], "--time-zone: 'PST' is not LOCAL or UTC"),
    (["--log-group-name", "g", "--log-stream-name", "s", "--encoding", "nope"], "--encoding: 'nope' is not an encoding"),
    (["--log-group-name", "g", "--log-stream-name", "s", "--multi-line-start-pattern", "("], "--multi-line-start-pattern:"),
    (["--log-group-name", "bad group", "--log-stream-name", "s"], "--log-group-name: 'bad group' is not a log group name"),
    (["--log-group-name", "g", "--log-stream-name", "a:b"], "--log-stream-name: 'a:b' is not a log stream name"),
])
def test_argument_errors_are_one_line(aws, args, expected):
    assert expected in one_line(aws.run("logs", "push", *args, input=""))
