"""AWS CLI v2 (Debian's awscli package) where it is installed at /usr/bin/aws."""
import subprocess
from pathlib import Path

V2 = Path("/usr/bin/aws")


def v2_version():
    if not V2.exists():
        return None
    result = subprocess.run([str(V2), "--version"], capture_output=True, text=True)
    return result.stdout.split()[0] if result.stdout.startswith("aws-cli/2.") else None
