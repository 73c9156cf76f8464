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


# The long scenarios: `python3 dev.py test --quick` (pytest -m "not long" -n 6) leaves them out for
# the inner loop; the README's test command and CI run everything, one test at a time.
LONG = ("tests/torture/", "tests/integration/test_install.py", "tests/integration/test_logrotate.py",
        "tests/integration/test_package.py")


def pytest_configure(config):
    config.addinivalue_line("markers", "long: a long scenario (torture, install, package, logrotate); -m 'not long' leaves it out")
    config.torture_results = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(LONG):
            item.add_marker(pytest.mark.long)


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
