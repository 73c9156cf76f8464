#!/usr/bin/env python3
"""Developer entry point; needs only Python 3.10+.

    python3 dev.py demo    set up .venv and run the demo against a local CloudWatch Logs endpoint
    python3 dev.py test    set up .venv and run the test suite (extra arguments go to pytest)
    python3 dev.py bench   set up .venv and run the benchmarks (see benchmarks/README.md)
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


def main(argv):
    commands = {"demo": ["demo/run_demo.py"], "test": ["-m", "pytest"], "bench": ["benchmarks/run.py"]}
    if not argv or argv[0] not in commands:
        sys.exit(__doc__)
    ensure_venv()
    return run(commands[argv[0]] + argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
