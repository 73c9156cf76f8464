#!/usr/bin/env python3
"""Developer entry point; needs only Python 3.10+.

    python3 dev.py demo    set up .venv and run the demo against a local CloudWatch Logs endpoint
    python3 dev.py test    set up .venv and run the test suite: the short tests six at a time, then the
                           long ones: installs, packages and logrotate three at a time, then the
                           torture scenarios one at a time (they measure timing and memory); with
                           arguments, one pytest run with them
    python3 dev.py test --quick   without the long scenarios (torture, install, logrotate) nor the
                           short ones of 7.5 s or more (tests/conftest.py's SLOW), 6 at a time
                           (pytest-xdist; the tests mostly wait): the inner loop, under 3 minutes
    python3 dev.py bench   set up .venv and run the benchmarks (see benchmarks/README.md)
    python3 dev.py bench-journald   the journald case of the benchmarks
    python3 dev.py bench-soak   the journal read for 10 minutes while it rotates: memory and descriptors
    python3 dev.py bench-containers   the docker source next to the file source
    python3 dev.py bench-structured   JSON lines with a time field and masks against the same lines as raw text
    python3 dev.py bench-metrics   the agent's own metrics on (1 s interval) against off
    python3 dev.py bench-compare   push against a base revision; pull and filter against AWS CLI v2
    python3 dev.py bench-idle   idle CPU and open descriptors with 100 to 5,000 files and 1,000 containers
    python3 dev.py bench-state   the state file's cost per accepted batch, against a base revision
    python3 dev.py wheels DIR   gather the wheels of the plugin and its dependencies into DIR,
                           for `launcher/install.sh --wheels DIR` on hosts without PyPI (same
                           Python version and architecture as this machine)
    python3 dev.py package [--wheels DIR]   the .deb and the .rpm from this checkout and DIR's wheels
                           (default dist/wheels, from `python3 dev.py wheels dist/wheels`), into dist/;
                           no network
    python3 dev.py image   the OCI image of the agent (Debian's packages + that .deb) into dist/, by
                           debootstrap and podman, as root
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from packages import pluginwheel

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"


def ensure_venv():
    """Creates .venv and installs the project with its test extras; again only when setup changes."""
    if sys.version_info < (3, 10):
        sys.exit(f"Python 3.10 or newer is needed, this is {sys.version.split()[0]}")
    wanted = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in ("setup.cfg", "setup.py"))).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        subprocess.run([_this_python(), "-m", "venv", str(VENV)], check=True)
    print("installing awscli-cwlogs with its test dependencies into .venv", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def _this_python():
    """The running interpreter's path. Started by name with no PATH at all (`env -i python3 dev.py
    test`), Python leaves sys.executable empty, and venv cannot make a virtualenv from it."""
    if sys.executable:
        return sys.executable
    if os.path.exists("/proc/self/exe"):
        return os.path.realpath("/proc/self/exe")
    return shutil.which("python3", path=os.defpath) or sys.exit("cannot tell where this Python is: run it by its path")


def _aws_cli_v2():
    aws = Path("/usr/bin/aws")
    if not aws.exists():
        return False
    version = subprocess.run([str(aws), "--version"], capture_output=True, text=True)
    return version.stdout.startswith("aws-cli/2.")


def _system_venv():
    """/usr/bin/python3 can make a virtualenv (or there is none, and nothing to install for it)."""
    return not os.path.exists("/usr/bin/python3") or subprocess.run(
        ["/usr/bin/python3", "-c", "import ensurepip, venv"], capture_output=True).returncode == 0


SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")
QUICK_WORKERS = 6  # --quick: 446 tests in 9 min one at a time, 2.7 min six at a time on 2 cores (3 CPU-min)
SHORT_TESTS = ["-m", "not long", "-n", str(QUICK_WORKERS)]  # pytest's arguments for all but the long scenarios
QUICK_TESTS = ["-m", "not long and not slow", "-n", str(QUICK_WORKERS)]  # --quick: the slow short ones out too
# installs, packages and logrotate, a file to a worker (each build works in a copy of the sources:
# packages/pluginwheel.py)
LONG_TOGETHER = ["-m", "long and not alone", "-n", "3", "--dist", "loadfile"]
LONG_ALONE = ["-m", "alone"]  # the torture scenarios, one at a time
# Debian packages some tests need, and how to tell they are there
DEBIAN_PACKAGES = {
    "awscli": _aws_cli_v2,  # AWS CLI v2 (Debian 12: 2.9): tests/integration/test_cli_v2.py
    "logrotate": lambda: any(os.access(f"{d}/logrotate", os.X_OK) for d in SBIN),  # test_logrotate.py
    "systemd": lambda: shutil.which("systemd-analyze") is not None,  # systemd-analyze verify in test_install.py
    # writes real journal files from the export format: test_journald.py
    "systemd-journal-remote": lambda: os.access("/lib/systemd/systemd-journal-remote", os.X_OK),
    "lintian": lambda: shutil.which("lintian") is not None,  # the .deb's check: test_package.py
    "rpm": lambda: shutil.which("rpmbuild") is not None,  # the .rpm's build: test_package.py
    "python3-venv": _system_venv,  # the .deb's virtualenv, made from /usr/bin/python3: test_package.py
    # steps the agent's wall clock alone: tests/torture/test_process_faults.py
    "faketime": lambda: bool(glob.glob("/usr/lib/*/faketime/libfaketime.so.1")),
    # the image (packages/image.py) and its run: tests/integration/test_image.py
    "debootstrap": lambda: any(os.access(f"{d}/debootstrap", os.X_OK) for d in SBIN),
    "podman": lambda: shutil.which("podman") is not None,
    "runc": lambda: shutil.which("runc") is not None or os.access("/usr/sbin/runc", os.X_OK),
}


def ensure_debian_packages():
    """Installs the Debian packages the tests use, where apt-get is there and we are root;
    elsewhere the tests that need them skip and say why."""
    missing = [name for name, present in DEBIAN_PACKAGES.items() if not present()]
    if not missing:
        return
    if not shutil.which("apt-get", path=os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN])):
        print(f"no apt-get: the tests that need {', '.join(missing)} will skip", flush=True)
        return
    if os.geteuid() != 0:
        print(f"not root: cannot apt-get install {' '.join(missing)}; the tests that need them will skip", flush=True)
        return
    print(f"installing Debian packages for the tests: {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive",
               PATH=os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN]))
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]):
        result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            print(f"{' '.join(command)} failed ({result.stderr.strip()[-300:]}); the tests that need "
                  f"{', '.join(missing)} will skip", flush=True)
            return


def run(args):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH') or os.defpath}")  # env -i: no PATH
    return subprocess.run([str(PYTHON), *args], cwd=ROOT, env=env).returncode


def wheels(folder):
    """The plugin's wheel, built from this checkout, and every dependency's (psutil, for host
    metrics, included), from PyPI."""
    target = Path(folder).resolve()
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("awscli_cwlogs-*.whl"):  # the same version number may hold newer code
        old.unlink()
    built = pluginwheel.build(PYTHON, target)
    if built.returncode != 0:
        print(built.stdout + built.stderr, end="", file=sys.stderr)
        return built.returncode
    plugin = max(target.glob("awscli_cwlogs-*.whl"))
    # its dependencies, and what building the plugin's wheel takes, for `dev.py package` without network
    code = subprocess.run([str(PYTHON), "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                           "--wheel-dir", str(target), f"{plugin}[host-metrics]", "setuptools", "wheel"]).returncode
    if code == 0:
        print(f"wheels in {target}: {', '.join(sorted(p.name for p in target.glob('*.whl')))}")
    return code


def main(argv):
    commands = {"demo": ["demo/run_demo.py"], "test": ["-m", "pytest"], "bench": ["benchmarks/run.py"],
                "bench-journald": ["benchmarks/journald.py"], "bench-soak": ["benchmarks/soak.py"],
                "bench-containers": ["benchmarks/containers.py"], "bench-structured": ["benchmarks/structured.py"],
                "bench-metrics": ["benchmarks/metrics.py"], "bench-compare": ["benchmarks/compare.py"],
                "bench-idle": ["benchmarks/idle.py"], "bench-state": ["benchmarks/statewrites.py"],
                "package": ["packages/build.py"], "image": ["packages/image.py"]}
    if argv[:1] == ["wheels"] and len(argv) == 2:
        ensure_venv()
        return wheels(argv[1])
    if not argv or argv[0] not in commands:
        sys.exit(__doc__)
    ensure_venv()
    if argv[0] == "test":
        ensure_debian_packages()
        if "--quick" in argv:
            argv = [arg for arg in argv if arg != "--quick"] + QUICK_TESTS
        elif argv == ["test"]:  # the whole suite: the short tests six at a time, then the long ones
            short = run(commands["test"] + SHORT_TESTS)
            together = run(commands["test"] + LONG_TOGETHER)
            return run(commands["test"] + LONG_ALONE) or together or short
    return run(commands[argv[0]] + argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
