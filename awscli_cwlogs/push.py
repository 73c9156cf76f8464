"""``aws logs push``: the log-shipping agent's front door: its arguments, then stdin mode
(agent/stdin_mode.py) or agent/start.py (the agent on its configuration, or a report)."""
from awscli_cwlogs.cli import LogsCommand, UsageError


def _option(name, help_text, **extra):
    return {"name": name, "help_text": f"<p>{help_text}</p>", **extra}


class PushCommand(LogsCommand):
    NAME = "push"
    DESCRIPTION = (
        "Ships log files, or standard input, to CloudWatch Logs with PutLogEvents.\n\n"
        "With ``--config-file`` it follows every file configured in an awslogs.conf (the old "
        "awslogs agent's format) and records in a state file what the service accepted, so a "
        "restart resumes exactly where it stopped: no line lost, none sent twice. Rotation by "
        "rename or copy-and-truncate is followed, also when it happened while the agent was "
        "stopped. Throttling and endpoint outages are retried with backoff for as long as they "
        "last, while reading pauses. SIGTERM or SIGINT sends what is buffered (within "
        "``--shutdown-timeout``) and exits 0.\n\n"
        "Without ``--config-file`` it reads standard input into one log stream and exits when "
        "the input ends and every event was accepted; non-zero if anything could not be "
        "delivered.\n\n"
    )
    ARG_TABLE = [
        _option("config-file", "The agent's config file (awslogs.conf format), or <code>ssm:/NAME</code>: "
                "an SSM parameter (String or SecureString) holding it, followed while the agent runs "
                "(<code>[general] config_refresh</code>)."),
        _option("additional-configs-dir", "A folder of further config files with stream sections, read in "
                "name order; hidden files and backups (~, .swp, .bak) are skipped. Or <code>ssm:/PATH/</code>: "
                "every parameter under the path, recursively, in name order, as the files of a folder."),
        _option("state-dir", "With an <code>ssm:</code> configuration: the folder where the last good "
                "configuration is kept (the agent starts from it when SSM cannot be reached), and where a "
                "relative <code>state_file</code> goes. Default: /var/lib/awslogs for <code>ssm:</code> "
                "--config-file, else the config file's folder."),
        _option("log-group-name", "Stdin mode: the log group (created if missing)."),
        _option("log-stream-name", "Stdin mode: the log stream (created if missing)."),
        _option("datetime-format", "Stdin mode: strptime format of the timestamp in each event, e.g. "
                "<code>%Y-%m-%d %H:%M:%S</code>, or iso8601, epoch (unit told by size), epoch_s, epoch_ms, "
                "epoch_us, epoch_ns. Without it events take the time they are read."),
        _option("time-zone", "Stdin mode: LOCAL (default) or UTC, for timestamps without an offset."),
        _option("encoding", "Stdin mode: encoding of the input bytes (default utf_8); invalid bytes are replaced."),
        _option("buffer-duration", "Stdin mode: milliseconds a batch may wait to fill (default 5000, minimum 100).",
                cli_type_name="integer"),
        _option("batch-count", "Stdin mode: events per batch, 1-10000 (default 10000).", cli_type_name="integer"),
        _option("batch-size", "Stdin mode: bytes per batch counted as AWS does, 1-1048576 (default 1048576).",
                cli_type_name="integer"),
        _option("multi-line-start-pattern", "Stdin mode: regular expression for a line that starts an event; "
                "other lines join the previous event (default <code>^[^\\s]</code>)."),
        _option("log-format", "Stdin mode: text (default) or json: each line a JSON object (lines that are not "
                "are sent as they are, and counted)."),
        _option("timestamp-key", "Stdin mode, with --log-format json: the field with the event's time (dots for "
                "nested keys); ISO 8601 or an epoch number, or read with --datetime-format."),
        _option("mask-detectors", "Stdin mode: secrets and personal data masked before sending, by name: "
                "aws_access_key_id, aws_secret_access_key, bearer_token, jwt, email, credit_card, ipv4, ipv6."),
        _option("mask-fields", "Stdin mode, with --log-format json: fields whose values are masked, at any depth."),
        _option("dry-run", "Print the events as they would be sent (timestamp and message); no AWS call, "
                "no state written.", action="store_true", cli_type_name="boolean"),
        _option("check", "With --config-file: validate the configuration and show, per stream section, the "
                "resolved names, the files the glob matches (live, rotated, skipped and why), what is not shipped "
                "yet, and how the live file's first lines become events (timestamps, joined lines); then list "
                "each problem on one line. Exits 1 if there is a problem. Never calls CloudWatch Logs.",
                action="store_true", cli_type_name="boolean"),
        _option("status", "With --config-file: from the state file and the files alone, per stream: bytes and "
                "approximate events not shipped yet, events sent, last accepted batch, events the service "
                "rejected or the include/exclude patterns left out, and the last error. Works while the agent runs.",
                action="store_true", cli_type_name="boolean"),
        _option("json", "With --status: print it as JSON.", action="store_true", cli_type_name="boolean"),
        _option("health", "With --config-file: exit 0 if an agent runs on the configuration's state file and "
                "writes it, else 1; one line either way. For a container's liveness probe.",
                action="store_true", cli_type_name="boolean"),
        _option("shutdown-timeout", "Seconds to send what is buffered after SIGTERM or SIGINT (default 20).",
                cli_type_name="integer", default=20),
        _option("wait-for-state-lock", "Seconds to wait for another agent that holds the state file's lock to "
                "stop, before exiting with 255 (default 0: at once). One agent runs per state file; the service's "
                "launcher waits as long as systemd waits for a stopping agent.", cli_type_name="integer", default=0),
    ]
    EXAMPLES = (
        "Run the agent::\n\n"
        "  aws logs push --config-file /etc/awslogs/awslogs.conf --additional-configs-dir /etc/awslogs/config\n\n"
        "Run the agent from SSM Parameter Store::\n\n"
        "  aws logs push --config-file ssm:/cwlogs-agent/web/main \\\n"
        "      --additional-configs-dir ssm:/cwlogs-agent/common/ --state-dir /var/lib/awslogs\n\n"
        "Send a file through standard input::\n\n"
        "  aws logs push --log-group-name app --log-stream-name import < app.log\n\n"
        "See what would be sent::\n\n"
        "  aws logs push --config-file awslogs.conf --dry-run\n"
    )

    def run(self, parsed_args, parsed_globals):
        if parsed_args.shutdown_timeout < 0:
            raise UsageError("--shutdown-timeout: give seconds >= 0")
        if parsed_args.wait_for_state_lock < 0:
            raise UsageError("--wait-for-state-lock: give seconds >= 0")
        report = next((name for name in ("check", "status", "health") if getattr(parsed_args, name)), None)
        if report and not parsed_args.config_file:
            raise UsageError(f"--{report} needs --config-file")
        if parsed_args.json and not parsed_args.status:
            raise UsageError("--json goes with --status")
        # imported here, not at the top: the plugin builds every command's table when `aws logs`
        # starts, and pull and filter then load none of the agent's modules
        from awscli_cwlogs.agent.lifecycle import Lifecycle, install_signal_handlers
        lifecycle = Lifecycle(parsed_args.shutdown_timeout)
        if not report:
            # before the agent's modules load and the config is read: a stop or reload (logrotate's
            # postrotate) that comes while the agent starts is then honoured, not the default
            # action that ends the process at once
            install_signal_handlers(lifecycle, reload=bool(parsed_args.config_file))
        if not parsed_args.config_file:
            from awscli_cwlogs.agent.stdin_mode import run_stdin  # here, after the handlers: stdin mode alone
            return run_stdin(self._session, parsed_args, parsed_globals, lifecycle, self.redactor)
        from awscli_cwlogs.agent.start import start  # here, after the handlers: the agent's modules
        return start(self._session, parsed_args, parsed_globals, self.redactor, lifecycle)
