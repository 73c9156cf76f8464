"""Runs the real `aws` command in a subprocess, with an AWS config of its own."""
import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

AWS = str(Path(sys.executable).with_name("aws"))

# Never let the developer's own AWS settings, proxies or credentials leak into a test.
_DROP_PREFIXES = ("AWS_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class AwsCli:
    def __init__(self, home, endpoint):
        self.home = Path(home)
        self.endpoint = endpoint
        aws_dir = self.home / ".aws"
        aws_dir.mkdir(parents=True, exist_ok=True)
        self.config_file = aws_dir / "config"
        self.config_file.write_text(
            "[default]\n"
            "region = us-east-1\n"
            "output = json\n"
            f"endpoint_url = {endpoint}\n"
            "[plugins]\n"
            "cwlogs = awscli_cwlogs\n"
        )
        credentials = aws_dir / "credentials"
        credentials.write_text(
            "[default]\n"
            "aws_access_key_id = AKIDTESTTESTTESTTEST\n"
            "aws_secret_access_key = testsecrettestsecrettestsecrettestsecret\n"
        )
        self.env = {
            key: value for key, value in os.environ.items()
            if not key.upper().startswith(_DROP_PREFIXES)
        }
        self.env.update({
            "HOME": str(self.home),
            "AWS_CONFIG_FILE": str(self.config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "NO_PROXY": "127.0.0.1,localhost",
        })

    def command(self, *args):
        return [AWS, *map(str, args)]

    def run(self, *args, input=None, timeout=120, env=None, **kwargs):
        """The finished process, with text stdout and stderr."""
        return subprocess.run(
            self.command(*args), input=input, capture_output=True, text=True,
            timeout=timeout, env={**self.env, **(env or {})}, **kwargs,
        )

    def popen(self, *args, env=None, open_files=None, **kwargs):
        """A started `aws`; SIGINT has its default meaning in it (Ctrl-C), even when the tests run
        from a background job or nohup, whose children inherit SIGINT ignored. ``open_files``:
        (soft, hard) limits on its descriptors, as ``ulimit -Sn``/``-Hn`` would set them."""
        def before_exec():
            default_sigint()
            if open_files is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, open_files)
        return subprocess.Popen(self.command(*args), env={**self.env, **(env or {})},
                                preexec_fn=before_exec, **kwargs)


def default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def nobody_cannot_run_aws():
    """Why the user nobody cannot run the tests' `aws` (a skip reason), or None if it can."""
    reach = subprocess.run([*AS_NOBODY, AWS, "--version"], capture_output=True, text=True)
    if reach.returncode == 0:
        return None
    return (f"the user nobody cannot run {AWS} (the checkout or its .venv is in a folder only its owner "
            f"may enter, such as /root or a 0700 folder): {reach.stderr.strip()[:200]}")


@contextlib.contextmanager
def nobody_cli(endpoint):
    """(an AwsCli whose commands run as nobody, its work folder): pytest's own temporary folders
    are root's alone, so this works in a folder of its own that nobody may enter."""
    work = Path(tempfile.mkdtemp(prefix="cwlogs-nobody-"))
    try:
        work.chmod(0o755)
        aws = AwsCli(work / "home", endpoint)
        for path in (aws.home, aws.home / ".aws", *(aws.home / ".aws").iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        as_root = aws.command
        aws.command = lambda *args: AS_NOBODY + as_root(*args)
        yield aws, work
    finally:
        shutil.rmtree(work, ignore_errors=True)
