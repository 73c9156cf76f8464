"""Fixtures the install and package tests share."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheels(tmp_path_factory):
    """`python3 dev.py wheels DIR`, once per run: what hosts without PyPI install from, and what
    `python3 dev.py package` builds from."""
    folder = tmp_path_factory.mktemp("wheels")
    result = subprocess.run([sys.executable, str(ROOT / "dev.py"), "wheels", str(folder)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    names = {path.name.split("-")[0].lower() for path in folder.glob("*.whl")}
    assert {"awscli_cwlogs", "awscli", "configobj"} <= names, names
    return folder
