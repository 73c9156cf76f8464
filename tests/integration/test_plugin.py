"""The plugin as a user meets it: registered in the AWS config, with full help pages."""
import re


def help_text(aws, *command):
    result = aws.run(*command, "help", env={"PAGER": "cat", "MANPAGER": "cat"})
    assert result.returncode == 0, result.stderr
    return re.sub(r".\x08", "", result.stdout)  # drop man's overstrike bold


def words(text):
    """The text as one line, with man's end-of-line hyphenation undone."""
    return " ".join(re.sub(r"(\w)-\n\s*", r"\1", text).split())


def test_pull_help_documents_every_option(aws):
    text = help_text(aws, "logs", "pull")
    for option in ("--log-group-name", "--log-stream-name", "--start-time", "--end-time",
                   "--time-zone", "--output-format", "--follow", "--pull-delay"):
        assert option in text
    assert "EXAMPLES" in text and "aws logs pull --log-group-name" in words(text)
    assert "LOCAL" in text and "{timestamp} {message}" in words(text)


def test_filter_help_documents_every_option(aws):
    text = help_text(aws, "logs", "filter")
    for option in ("--log-group-name", "--log-stream-names", "--log-stream-name-prefix",
                   "--filter-pattern", "--start-time", "--end-time", "--output-format", "--follow"):
        assert option in text
    assert "EXAMPLES" in text and "{logStreamName} {timestamp} {message}" in words(text)


def test_push_help_documents_every_option(aws):
    text = help_text(aws, "logs", "push")
    for option in ("--config-file", "--additional-configs-dir", "--log-group-name", "--log-stream-name",
                   "--datetime-format", "--time-zone", "--encoding", "--buffer-duration", "--batch-count",
                   "--batch-size", "--multi-line-start-pattern", "--dry-run", "--shutdown-timeout"):
        assert option in text
    assert "EXAMPLES" in text and "aws logs push --config-file" in words(text)


def test_commands_are_listed_under_aws_logs(aws):
    text = help_text(aws, "logs")
    assert all(re.search(rf"^\s+o {name}$", text, re.M) for name in ("push", "pull", "filter"))


def test_without_the_plugin_line_the_commands_do_not_exist(aws):
    aws.config_file.write_text(aws.config_file.read_text().replace("cwlogs = awscli_cwlogs", ""))
    result = aws.run("logs", "pull", "--log-group-name", "g", "--log-stream-name", "s")
    assert result.returncode != 0 and "Invalid choice" in result.stderr


def test_the_version_comes_from_the_package_and_names_it_in_every_request(aws):
    from awscli_cwlogs import __version__
    shown = aws.run("logs", "push", "--version")
    assert shown.returncode == 0 and f"awscli-cwlogs/{__version__}" in shown.stdout + shown.stderr
    assert f"awscli-cwlogs/{__version__}" in aws.run("--version").stdout
    debug = aws.run("--debug", "logs", "describe-log-groups")
    assert debug.returncode == 0, debug.stderr
    agents = re.findall(r"'User-Agent': b?'([^']*)'", debug.stderr)
    assert agents and all(agent.endswith(f"awscli-cwlogs/{__version__}") for agent in agents)
