#!/usr/bin/env python3
"""Developer entry point; needs only Python 3.10+.

    python3 dev.py demo    set up .venv and run the demo against a local CloudWatch Logs endpoint
    python3 dev.py test    set up .venv and run the test suite (extra arguments go to pytest)
    python3 dev.py bench   set up .venv and run the benchmarks (see benchmarks/README.md)
    python3 dev.py wheels DIR   gather the wheels of the plugin and its dependencies into DIR,
                           for `launcher/install.sh --wheels DIR` on hosts without PyPI (same
                           Python version and architecture as this machine)
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

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
        venv.create(VENV, with_pip=True)
    print("installing awscli-cwlogs with its test dependencies into .venv", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def run(args):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([str(PYTHON), *args], cwd=ROOT, env=env).returncode


def wheels(folder):
    """The plugin's wheel, built from this checkout, and every dependency's, from PyPI."""
    target = Path(folder).resolve()
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("awscli_cwlogs-*.whl"):  # the same version number may hold newer code
        old.unlink()
    code = subprocess.run([str(PYTHON), "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                           "--wheel-dir", str(target), str(ROOT)]).returncode
    if code == 0:
        print(f"wheels in {target}: {', '.join(sorted(p.name for p in target.glob('*.whl')))}")
    return code


def main(argv):
    commands = {"demo": ["demo/run_demo.py"], "test": ["-m", "pytest"], "bench": ["benchmarks/run.py"]}
    if argv[:1] == ["wheels"] and len(argv) == 2:
        ensure_venv()
        return wheels(argv[1])
    if not argv or argv[0] not in commands:
        sys.exit(__doc__)
    ensure_venv()
    return run(commands[argv[0]] + argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
