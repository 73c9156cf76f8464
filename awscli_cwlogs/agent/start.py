"""What ``aws logs push --config-file`` runs once its arguments are checked: a report (--check,
--status, --health), or the agent on its configuration."""
from awscli_cwlogs.agent.process import HeldLog
from awscli_cwlogs.agent.shipper import Shipper
from awscli_cwlogs.agent.stdin_mode import given_stdin_options
from awscli_cwlogs.cli import UsageError
from awscli_cwlogs.config.configuration import AgentConfiguration
from awscli_cwlogs.config.origin import ConfigOrigin
from awscli_cwlogs.report.run import run_report
from awscli_cwlogs.sources.kinds import KINDS


def start(session, parsed_args, parsed_globals, redactor, lifecycle):
    """``lifecycle``: the run's, whose signal handlers push installed before these modules loaded."""
    given = given_stdin_options(parsed_args)
    if given:
        raise UsageError(f"{given[0]} is for stdin mode; with --config-file set it in the config file")
    try:
        origin = ConfigOrigin(parsed_args.config_file, parsed_args.additional_configs_dir, parsed_args.state_dir)
    except ValueError as error:
        raise UsageError(str(error)) from None
    configuration = AgentConfiguration(session, parsed_globals, origin, kinds=KINDS, keep=not parsed_args.dry_run)
    if parsed_args.check or parsed_args.status or parsed_args.health:
        agent_config, fetched, problem = configuration.for_report(use_kept=not parsed_args.check)
        return run_report(agent_config, parsed_args, configuration.record, fetched, problem)
    held_log = HeldLog()  # the log is set up from the config: what is logged before waits for it
    try:
        agent_config = configuration.start(lifecycle)
    except BaseException:
        held_log.detach()
        raise
    return Shipper(session, parsed_args, parsed_globals, lifecycle, configuration, redactor).run(agent_config, held_log)
