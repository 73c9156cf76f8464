"""Fixtures: moto server behind the strict wire proxy, and the real `aws` CLI pointed at it."""
import os

import pytest

from tests.harness.awscli import AwsCli
from tests.harness.logsapi import LogsApi
from tests.harness.motoserver import MotoServer
from tests.harness.parameters import ParameterStore
from tests.harness.wireproxy import WireProxy


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def wire_proxy(moto):
    proxy = WireProxy(moto.port)
    yield proxy
    proxy.stop()


@pytest.fixture
def wire(moto, wire_proxy):
    """The proxy, emptied for this test. Any PutLogEvents AWS would reject fails the test."""
    moto.reset()
    wire_proxy.clear()
    yield wire_proxy
    violations = list(wire_proxy.violations)
    wire_proxy.clear()
    if violations:
        pytest.fail("requests AWS would reject:\n" + "\n".join(violations[:20]), pytrace=False)


@pytest.fixture
def logs(moto):
    """Direct access to the endpoint (not through the proxy) to seed and inspect data."""
    return LogsApi(moto.url)


@pytest.fixture
def ssm(moto):
    """SSM Parameter Store on the endpoint (not through the proxy), to publish configurations."""
    return ParameterStore(moto.url)


@pytest.fixture
def aws(tmp_path, wire):
    """The real `aws` CLI with the plugin registered, talking to moto through the proxy."""
    return AwsCli(tmp_path / "home", wire.url)


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", default=False,
                     help="run the torture suite's long profile (also: CWLOGS_TORTURE=long)")


# The long scenarios: `python3 dev.py test --quick` leaves them out for the inner loop; the README's
# test command and CI run them after the short tests: the torture scenarios one at a time (marked
# `alone`: they measure timing, memory and descriptors), the others (installs, packages, real
# logrotate) before them, three at a time, a file to a worker.
ALONE = ("tests/torture/",)
LONG = ALONE + ("tests/integration/test_install.py", "tests/integration/test_logrotate.py",
                "tests/integration/test_package.py", "tests/integration/test_image.py")


# The short scenarios of 7.5 s or more (restarts, outages, a journal or an SSM parameter that
# changes): `python3 dev.py test` and CI run them with the other short tests, six at a time;
# `--quick` (-m "not long and not slow") leaves them out too, so the inner loop stays under 3 minutes.
SLOW = (
    "tests/integration/test_accounts.py::test_a_role_is_assumed_with_its_external_id_and_again_before_it_expires",
    "tests/integration/test_accounts.py::test_a_role_that_cannot_be_assumed_holds_up_its_own_section_only",
    "tests/integration/test_accounts.py::test_sections_with_different_profiles_sign_with_their_own_keys",
    "tests/integration/test_cli_v2.py::test_push_a_file_and_pull_it_back_with_cli_v2",
    "tests/integration/test_containers.py::test_a_new_container_is_read_at_once_and_its_first_files_rotated_away_lose_nothing",
    "tests/integration/test_containers.py::test_containers_come_and_go_names_ignore_and_overrides",
    "tests/integration/test_containers.py::test_cri_partial_lines_kubelet_rotation_with_compression_and_restart",
    "tests/integration/test_containers.py::test_max_file_rotation_while_writing_and_restarts_lose_and_repeat_nothing",
    "tests/integration/test_cost.py::test_status_prints_the_billable_bytes_of_the_shipped_lines_across_restarts",
    "tests/integration/test_journald.py::test_a_unit_that_logged_long_ago_does_not_make_a_restart_read_the_journal_again",
    "tests/integration/test_journald.py::test_a_vacuumed_cursor_is_a_warning_naming_the_span_and_reading_goes_on",
    "tests/integration/test_journald.py::test_an_entry_read_while_its_writer_still_links_it_is_read_again_not_lost",
    "tests/integration/test_journald.py::test_check_and_status_for_a_journald_section",
    "tests/integration/test_journald.py::test_filters_and_formats",
    "tests/integration/test_journald.py::test_one_stream_per_unit_with_restarts_and_kill_9",
    "tests/integration/test_journald.py::test_sighup_adds_a_journald_section_and_the_running_one_goes_on",
    "tests/integration/test_journald.py::test_sigterm_restart_with_one_stream_per_unit_sends_nothing_twice",
    "tests/integration/test_journald.py::test_sigterm_restarts_and_kill_9_lose_nothing_and_sigterm_sends_nothing_twice",
    "tests/integration/test_live.py::test_live_arguments_that_cannot_work_are_one_line_errors",
    "tests/integration/test_live.py::test_sessions_the_server_ends_are_renewed_with_nothing_lost_or_repeated",
    "tests/integration/test_metrics.py::test_emf_records_and_the_textfile_match_what_was_sent_and_lag_rises_in_an_outage",
    "tests/integration/test_metrics.py::test_host_metrics_follow_the_host_cpu_burn_and_disk_fill",
    "tests/integration/test_pod_credentials.py::test_eks_pod_identity_credentials_that_expire_every_5_s",
    "tests/integration/test_pod_credentials.py::test_irsa_web_identity_credentials_that_expire_every_5_s",
    "tests/integration/test_pull.py::test_relative_windows",
    "tests/integration/test_query.py::test_all_returns_250000_rows_once_and_in_order_with_the_fewest_queries",
    "tests/integration/test_pull.py::test_time_windows_in_every_syntax",
    "tests/integration/test_push_faults.py::test_30_percent_throttling_and_5xx",
    "tests/integration/test_push_faults.py::test_endpoint_down_for_20_s_mid_push",
    "tests/integration/test_push_faults.py::test_group_creation_refused_for_a_while_does_not_stop_the_stream",
    "tests/integration/test_push_input.py::test_stdin_200000_lines_in_batches_of_10000",
    "tests/integration/test_push_operator.py::test_status_while_the_agent_runs_and_after",
    "tests/integration/test_push_reload.py::test_sighup_adds_removes_changes_and_refuses_a_broken_config",
    "tests/integration/test_push_resume.py::test_200000_lines_exactly_once_in_order_and_restarts_resend_nothing",
    "tests/integration/test_push_resume.py::test_kill_9_mid_push_loses_nothing_and_resends_at_most_the_batch_in_flight",
    "tests/integration/test_push_resume.py::test_sigterm_mid_push_then_more_lines_then_restart",
    "tests/integration/test_push_rotation.py::test_rename_rotation_with_writes_to_the_old_file_for_3_s",
    "tests/integration/test_push_ssm.py::test_a_changed_parameter_starts_and_stops_sections_and_the_others_go_on",
    "tests/integration/test_push_ssm.py::test_a_secure_string_is_never_shown",
    "tests/integration/test_push_ssm.py::test_a_start_that_ssm_throttles_waits_and_starts",
    "tests/integration/test_push_ssm.py::test_a_start_with_a_broken_parameter_runs_the_last_good_configuration",
    "tests/integration/test_push_ssm.py::test_an_invalid_change_is_refused_once_and_a_fix_is_applied",
    "tests/integration/test_push_ssm.py::test_throttling_backs_off_logs_once_and_is_counted",
    "tests/integration/test_push_ssm.py::test_without_ssm_it_starts_from_the_kept_copy_and_without_one_it_exits",
    "tests/integration/test_push_state.py::test_a_new_agent_waits_for_the_stopping_ones_lock_and_takes_over_exactly",
    "tests/integration/test_push_state.py::test_a_second_agent_on_the_same_state_file_exits_255_naming_the_first_and_reads_nothing",
    "tests/integration/test_structured.py::test_a_containers_json_records_pick_their_stream_and_a_restart_sends_nothing_twice",
    "tests/integration/test_structured.py::test_every_time_form_nested_missing_and_not_json_stored_exactly_across_restarts_and_kill_9",
    "tests/integration/test_structured.py::test_twenty_services_through_one_file_into_twenty_streams_across_kill_9_and_restarts",
)


def pytest_configure(config):
    config.addinivalue_line("markers", "long: a long scenario (torture, install, package, logrotate); -m 'not long' leaves it out")
    config.addinivalue_line("markers", "slow: a short scenario of 7.5 s or more; --quick leaves it out, the full run keeps it")
    config.addinivalue_line("markers", "alone: a long scenario that measures timing, memory or descriptors: run one at a time")
    config.torture_results = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(LONG):
            item.add_marker(pytest.mark.long)
            if item.nodeid.startswith(ALONE):
                item.add_marker(pytest.mark.alone)
        elif item.nodeid.split("[")[0] in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def long_profile(pytestconfig):
    return pytestconfig.getoption("--long") or os.environ.get("CWLOGS_TORTURE") == "long"


@pytest.fixture
def torture_report(request):
    """Records a scenario's counts; they are printed as a table at the end of the run."""
    def record(scenario, **counts):
        request.config.torture_results.append((scenario, counts))
    return record


def pytest_terminal_summary(terminalreporter, config):
    if not config.torture_results:
        return
    profile = "long" if config.getoption("--long") or os.environ.get("CWLOGS_TORTURE") == "long" else "quick"
    terminalreporter.section(f"torture suite ({profile} profile): per scenario")
    for scenario, counts in config.torture_results:
        terminalreporter.write_line(f"{scenario:44s} " + "  ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                                                   for k, v in counts.items()))
