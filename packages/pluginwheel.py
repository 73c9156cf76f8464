"""The plugin's wheel, built from a temporary copy of this checkout's sources.

pip builds a source folder in its build/ subfolder: two builds of the checkout at once (the install
and package tests side by side, or `dev.py wheels` beside `dev.py package`) would share it and
break each other ("No such file or directory" while one copies what the other cleans up).
launcher/install.sh copies the same files for the same reason.
"""
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("setup.py", "setup.cfg", "README.md")  # and the package, awscli_cwlogs/


def build(python, wheel_dir, *pip_options):
    """``pip wheel`` of the plugin alone into ``wheel_dir``, with ``pip_options`` (such as
    --no-index); the finished process, its output captured."""
    with tempfile.TemporaryDirectory(prefix="cwlogs-build-") as work:
        copy = Path(work) / "src"
        shutil.copytree(ROOT / "awscli_cwlogs", copy / "awscli_cwlogs",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for name in SOURCES:
            shutil.copy2(ROOT / name, copy / name)
        return subprocess.run([str(python), "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                               "--no-deps", *pip_options, "--wheel-dir", str(wheel_dir), str(copy)],
                              capture_output=True, text=True)
