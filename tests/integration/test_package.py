"""The .deb that `python3 dev.py package` builds: its control data and contents, then installed,
upgraded (an edited awslogs.conf kept, no prompt), removed and purged with `dpkg --root` into a
scratch tree, the maintainer scripts run chrootless (they then stage under DPKG_ROOT, as
install.sh --root does), and the installed agent shipping to the local endpoint."""
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from packages import deb, rpm
from tests.harness.pushagent import InstalledAgent, audit, stored_messages, wait_until, write_lines

GROUP = "packaged"


def _missing():
    missing = [tool for tool in ("dpkg", "dpkg-deb") if shutil.which(tool) is None]
    if missing:
        return f"no {', '.join(missing)} on this machine (Debian's dpkg builds and installs the .deb)"
    venv = subprocess.run(["/usr/bin/python3", "-c", "import ensurepip, venv"], capture_output=True)
    if venv.returncode != 0:
        return "/usr/bin/python3 cannot make a virtualenv (Debian: apt-get install python3-venv)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture(scope="module")
def tree(wheels, tmp_path_factory):
    """What both packages hold, staged once."""
    work = tmp_path_factory.mktemp("package")
    deb.stage(deb.checkout_wheels(wheels, work), work / "tree")
    return work / "tree"


@pytest.fixture(scope="module")
def packages(tree):
    """The same tree packed as two versions, the second an upgrade of the first."""
    first = deb.debian_version(deb.source_version())
    return (deb.pack(tree, first, tree.parent / "out", "gzip"),
            deb.pack(tree, f"{first}+rebuild1", tree.parent / "out", "gzip"))


@pytest.fixture(scope="module")
def rpms(tree):
    if shutil.which("rpmbuild") is None:
        pytest.skip("no rpmbuild on this machine (Debian: apt-get install rpm)")
    first = deb.debian_version(deb.source_version())
    return tuple(rpm.pack_rpm(tree, version, tree.parent / "rpms", tree.parent, "w6.gzdio")
                 for version in (first, f"{first}+rebuild1"))


SBIN_PATH = dict(os.environ, PATH=os.pathsep.join([os.environ.get("PATH") or os.defpath, "/usr/sbin", "/sbin"]))


def dpkg(root, *args):
    """dpkg on the scratch tree; it wants ldconfig and start-stop-daemon on PATH (env -i has no sbin)."""
    result = subprocess.run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends",
                             "--force-not-root", "--log=/dev/null", *args], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=300, env=SBIN_PATH)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def installed_version(root):
    result = subprocess.run(["dpkg-query", f"--root={root}", "-W", "-f=${Status} ${Version}", deb.NAME],
                            capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else ""


def scratch(tmp_path):
    root = tmp_path / "root"
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    (root / "var/lib/dpkg/updates").mkdir()
    (root / "var/lib/dpkg/status").touch()
    return root


def test_the_deb_names_its_python_conffiles_and_maintainer_scripts(packages):
    info = subprocess.run(["dpkg-deb", "--info", str(packages[0])], capture_output=True, text=True, check=True).stdout
    assert f"Package: {deb.NAME}" in info and f"Version: {deb.debian_version(deb.source_version())}" in info
    assert f"Depends: python{deb.python_release()}, python3, libc6" in info
    contents = subprocess.run(["dpkg-deb", "--contents", str(packages[0])], capture_output=True, text=True,
                              check=True).stdout
    paths = [line.split()[5] for line in contents.splitlines()]
    assert "./opt/awscli-cwlogs/bin/aws" in paths and "./etc/awslogs/awslogs.conf" in paths
    assert "./usr/share/doc/awscli-cwlogs/copyright" in paths
    assert not [p for p in paths if p.startswith(("./etc/systemd", "./var/")) or "__pycache__" in p]
    control = subprocess.run(["dpkg-deb", "--ctrl-tarfile", str(packages[0])], capture_output=True, check=True).stdout
    listing = subprocess.run(["tar", "-t"], input=control, capture_output=True, check=True).stdout.decode()
    assert {"./conffiles", "./postinst", "./prerm", "./postrm"} <= set(listing.split())
    for action in deb.ACTIONS:
        script = deb.maintainer_script(action)
        assert "install_unit() {" in script and "uninstall() {" in script  # launcher/setup.sh's steps
        assert subprocess.run(["sh", "-n"], input=script, text=True).returncode == 0, action


@pytest.mark.skipif(shutil.which("lintian") is None, reason="no lintian here (Debian: apt-get install lintian)")
def test_lintian_finds_no_error(packages):
    result = subprocess.run(["lintian", "--tag-display-limit", "0", str(packages[0])], capture_output=True, text=True,
                            timeout=600)
    tags = [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]
    print(f"lintian: {len(tags)} tags: " + ", ".join(sorted({f"{t.split()[0]} {t.split()[2]}" for t in tags})))
    assert not [line for line in tags if line.startswith("E:")] and result.returncode == 0, result.stdout[-3000:]


def test_install_upgrade_remove_and_purge_keep_what_install_sh_keeps(packages, tmp_path):
    root = scratch(tmp_path)
    first, second = packages
    result = dpkg(root, "--install", str(first))
    assert "staged under" in result.stdout  # DPKG_ROOT: no systemctl, no user made
    assert installed_version(root).startswith("install ok installed")
    etc, state, venv = root / "etc/awslogs", root / "var/lib/awslogs", root / "opt/awscli-cwlogs"
    assert state.stat().st_mode & 0o777 == 0o700
    unit = (root / "etc/systemd/system/awslogs.service").read_text()
    assert "User=awslogs" in unit and "ExecStart=/opt/awscli-cwlogs/bin/awslogs-agent-launcher" in unit
    assert list(venv.glob("lib/python3*/site-packages/awscli_cwlogs/__pycache__/*.pyc"))  # compiled by postinst
    assert (venv / "bin/python").resolve() == Path(f"/usr/bin/python{deb.python_release()}").resolve()

    (etc / "awslogs.conf").write_text("[general]\nstate_file = /var/lib/awslogs/agent-state\n# edited\n")
    (state / "agent-state").write_bytes(b"state")
    dpkg(root, "--install", str(second))  # stdin is /dev/null: a conffile prompt would fail the upgrade
    assert installed_version(root).endswith("+rebuild1")
    assert (etc / "awslogs.conf").read_text().endswith("# edited\n")
    assert (state / "agent-state").read_bytes() == b"state"
    assert not (etc / "awslogs.conf.dpkg-dist").exists() and not (etc / "awslogs.conf.dpkg-old").exists()

    assert "dpkg --purge awscli-cwlogs removes them" in dpkg(root, "--remove", deb.NAME).stdout
    assert not venv.exists() and not (root / "etc/systemd/system/awslogs.service").exists()
    assert (etc / "awslogs.conf").exists() and (state / "agent-state").exists()
    assert installed_version(root).startswith("deinstall ok config-files")
    dpkg(root, "--purge", deb.NAME)
    assert not etc.exists() and not state.exists() and installed_version(root) == ""


def configured(root, wire, tmp_path):
    """The installed agent's configuration, for the local endpoint: (its environment, the log it follows)."""
    etc = root / "etc/awslogs"
    (etc / "aws.conf").write_text(f"[default]\nregion = us-east-1\nendpoint_url = {wire.url}\n\n"
                                  "[plugins]\ncwlogs = awscli_cwlogs\n")
    (etc / "aws.credentials").write_text("[default]\naws_access_key_id = AKIDPACKAGED\n"
                                         "aws_secret_access_key = packaged-secret\n")
    log = tmp_path / "app.log"
    (etc / "awslogs.conf").write_text(f"[general]\nstate_file = {root}/var/lib/awslogs/agent-state\n\n[app]\n"
                                      f"file = {log}\nlog_group_name = {GROUP}\nlog_stream_name = app\n"
                                      "buffer_duration = 200\n")
    return {"AWSLOGS_CONFIG_DIR": str(etc), "AWSLOGS_HOME": str(tmp_path), "AWSLOGS_NICE": "0",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin")}, log


def test_the_installed_agent_ships_to_the_local_endpoint(packages, wire, logs, tmp_path):
    root = scratch(tmp_path)
    dpkg(root, "--install", str(packages[0]))
    env, log = configured(root, wire, tmp_path)
    write_lines(log, 0, 500)
    with InstalledAgent(root, env, tmp_path / "agent.log") as agent:
        agent.start()
        time.sleep(0.5)
        write_lines(log, 500, 500)
        wait_until(lambda: wire.accepted_events(GROUP, "app") >= 1000, 60, "1000 accepted events")
        agent.stop()
    stderr = (tmp_path / "agent.log").read_text()
    assert audit(stored_messages(logs, GROUP, "app"), range(1000)) == ([], 0), stderr[-2000:]
    assert "packaged-secret" not in stderr
    assert Path(root / "opt/awscli-cwlogs/pyvenv.cfg").read_text().count(str(root)) == 0


class Writer(threading.Thread):
    """Lines arriving all the while: 100 every 20 ms until stopped."""

    def __init__(self, log):
        super().__init__(daemon=True)
        self.log, self.written, self.stopped = log, 0, threading.Event()

    def run(self):
        while not self.stopped.is_set():
            write_lines(self.log, self.written, 100)
            self.written += 100
            time.sleep(0.02)


def test_an_upgrade_while_lines_arrive_loses_and_repeats_none(packages, wire, logs, tmp_path):
    """What the maintainer scripts do on a host, in their order: the old agent stopped with SIGTERM
    (prerm upgrade; here, with DPKG_ROOT, they call no systemctl, so the test does), the new files
    unpacked, the new agent started (postinst), all while the followed file grows."""
    root = scratch(tmp_path)
    dpkg(root, "--install", str(packages[0]))
    env, log = configured(root, wire, tmp_path)
    log.touch()
    writer = Writer(log)
    with InstalledAgent(root, env, tmp_path / "agent.log") as agent:
        try:
            agent.start()
            writer.start()
            wait_until(lambda: wire.accepted_events(GROUP, "app") >= 2000, 60, "2000 accepted events")
            agent.stop()
            dpkg(root, "--install", str(packages[1]))
            assert installed_version(root).endswith("+rebuild1")
            agent.start()
            time.sleep(1)
            writer.stopped.set()
            writer.join()
            wait_until(lambda: wire.accepted_events(GROUP, "app") >= writer.written, 60,
                       f"{writer.written} accepted events")
            agent.stop()
        finally:
            writer.stopped.set()
    lost, duplicated = audit(stored_messages(logs, GROUP, "app"), range(writer.written))
    print(f"upgrade while lines arrive: written {writer.written:,}  lost {len(lost)}  duplicated {duplicated}")
    assert (lost, duplicated) == ([], 0), (tmp_path / "agent.log").read_text()[-2000:]


def rpm_query(package, *what):
    return subprocess.run(["rpm", "-qp", *what, str(package)], capture_output=True, text=True, check=True).stdout


def run_scriptlet(package, tag, root, *args):
    """The package's scriptlet ``tag`` run outside RPM, staging under ``root`` (RPM would run it
    chrooted into --root, where this scratch tree has no shell)."""
    script = rpm_query(package, "--qf", f"%{{{tag}}}")
    result = subprocess.run(["sh", "-s", *args], input=script, env={**os.environ, "DPKG_ROOT": str(root)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def test_the_rpm_names_its_python_conffiles_and_scriptlets(rpms):
    requires = rpm_query(rpms[0], "--requires").split("\n")
    assert f"/usr/bin/python{deb.python_release()}" in requires and "glibc >= 2.17" in requires
    assert rpm_query(rpms[0], "--configfiles").split() == sorted(deb.CONFFILES)
    paths = rpm_query(rpms[0], "--list").split()
    assert "/opt/awscli-cwlogs/bin/aws" in paths and not [p for p in paths if p.startswith(("/etc/systemd", "/var/"))]
    scripts = rpm_query(rpms[0], "--scripts")
    for kind in ("preinstall", "preuninstall", "posttrans"):
        assert f"{kind} scriptlet" in scripts, kind
    assert scripts.count("install_unit() {") == 3  # launcher/setup.sh's steps in each


def test_the_rpm_installs_upgrades_and_erases_in_a_scratch_root(rpms, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    rpm_root = ["rpm", "--root", str(root), "--nodeps", "--noscripts"]
    subprocess.run(["rpm", "--root", str(root), "--initdb"], check=True)
    subprocess.run([*rpm_root, "-i", str(rpms[0])], check=True, capture_output=True)
    assert "staged under" in run_scriptlet(rpms[0], "POSTTRANS", root)
    etc, state = root / "etc/awslogs", root / "var/lib/awslogs"
    assert (root / "etc/systemd/system/awslogs.service").exists() and state.stat().st_mode & 0o777 == 0o700

    (etc / "awslogs.conf").write_text("# edited\n")
    subprocess.run([*rpm_root, "-U", str(rpms[1])], check=True, capture_output=True)
    assert (etc / "awslogs.conf").read_text() == "# edited\n" and not (etc / "awslogs.conf.rpmnew").exists()
    assert subprocess.run(["rpm", "--root", str(root), "-q", deb.NAME], capture_output=True,
                          text=True).stdout.strip().endswith("+rebuild1-1.x86_64")

    assert "rm -r /etc/awslogs /var/lib/awslogs removes them" in run_scriptlet(rpms[1], "PREUN", root, "0")
    subprocess.run([*rpm_root, "-e", deb.NAME], check=True, capture_output=True)
    assert not (root / "opt/awscli-cwlogs").exists() and not (root / "etc/systemd/system/awslogs.service").exists()
    assert (etc / "awslogs.conf.rpmsave").read_text() == "# edited\n" and state.is_dir()
