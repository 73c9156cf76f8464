"""`python3 dev.py image`: an OCI image of the agent, with no registry: a Debian minimal root file
system made from Debian's packages (debootstrap), the .deb of `python3 dev.py package` installed
in it (so the image and the packages cannot drift apart), imported and saved by podman.

    python3 dev.py image [--deb FILE] [--out DIR] [--mirror URL] [--tag NAME]

Only the service models its commands use are kept (logs, sts, ssm, s3, sso, sso-oidc,
monitoring, and five awscli itself expects): other ``aws`` commands are not in the image. It
runs as the package's user (awslogs) by default, with ``aws logs push`` as its entry point and
``--config-file /etc/awslogs/awslogs.conf`` as its default arguments: mount a configuration file
there (or give ``--config-file ssm:...``, or ``--additional-configs-dir`` a mounted folder) and a
volume at /var/lib/awslogs for the state. The archive loads into podman or Docker
(``docker load -i``) and can be pushed to ECR from there. Needs root, debootstrap and podman.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from packages import deb  # noqa: E402

SUITE = "bookworm"  # Debian 12: the python3.11 the package's virtualenv is made from
MIRROR = "http://deb.debian.org/debian"
PATH = "/opt/awscli-cwlogs/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# the service models the image's commands use (the agent, the readers, credentials, SSM
# configuration, S3 exports, metrics); the other 420-odd are 120 MB the agent never reads
SERVICES = ("logs", "sts", "ssm", "s3", "sso", "sso-oidc", "monitoring",
            # the models awscli renames or marks while it builds its command table
            "sdb", "config", "sms-voice", "codedeploy", "sagemaker-runtime")
SITE = "opt/awscli-cwlogs/lib/python{release}/site-packages/awscli"
# documentation, manual pages and translations the agent never reads; apt's caches
TRIMMED = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt",
           "var/lib/apt/lists", "var/cache/debconf/templates.dat-old",
           "usr/lib/x86_64-linux-gnu/gconv", "usr/lib/aarch64-linux-gnu/gconv")  # glibc's iconv: Python has its own
# what building the package's wheels took, and nothing imports at run time
UNUSED_PACKAGES = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth")


def tool(name):
    """Where ``name`` is, /usr/sbin and /sbin looked in too (debootstrap and chroot are there; CI's PATH
    may lack them), or None."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH") or os.defpath, "/usr/sbin", "/sbin"]))


class ImageError(Exception):
    """What stops a build, in one line."""


def changes(version):
    """podman import's --change lines: the image's user, entry point, environment and volume."""
    return ["USER awslogs", "WORKDIR /var/lib/awslogs", "VOLUME /var/lib/awslogs",
            f"ENV PATH={PATH}", "ENV AWS_CONFIG_FILE=/etc/awslogs/aws.conf", "ENV HOME=/var/lib/awslogs",
            "ENV LANG=C.UTF-8", 'ENTRYPOINT ["aws", "logs", "push"]',
            'CMD ["--config-file", "/etc/awslogs/awslogs.conf"]',
            f"LABEL org.opencontainers.image.title=awscli-cwlogs org.opencontainers.image.version={version}"]


def root_file_system(folder, package, mirror):
    """A Debian minimal system in ``folder`` with ``package`` (the .deb) installed, trimmed."""
    _run([tool("debootstrap"), "--variant=minbase", "--include=python3", SUITE, str(folder), mirror], "debootstrap")
    shutil.copy(package, folder / "tmp" / "awscli-cwlogs.deb")
    _run([tool("chroot"), str(folder), "dpkg", "-i", "/tmp/awscli-cwlogs.deb"], "dpkg -i (in the new system)")
    (folder / "tmp" / "awscli-cwlogs.deb").unlink()
    for path in TRIMMED:
        target = folder / path
        if target.is_dir():
            shutil.rmtree(target)
            target.mkdir()
        elif target.exists():
            target.unlink()
    site = folder / SITE.format(release=deb.python_release())
    shutil.rmtree(site / "examples", ignore_errors=True)  # `aws help` pages' examples
    for name in UNUSED_PACKAGES:
        target = site.parent / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    for model in (site / "botocore" / "data").iterdir():
        if model.is_dir() and model.name not in SERVICES:
            shutil.rmtree(model)


def build(package, out, tag, mirror=MIRROR):
    """(the OCI archive, its size in bytes) of the image of ``package``, tagged ``tag``."""
    version = tag.rpartition(":")[2]
    with tempfile.TemporaryDirectory(prefix="cwlogs-image-") as work:
        rootfs = Path(work) / "rootfs"
        root_file_system(rootfs, package, mirror)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(["podman", "import", *[arg for line in changes(version) for arg in ("--change", line)],
                                   "-", tag], stdin=tar.stdout, capture_output=True, text=True, env=_system_path())
        tar.stdout.close()
        if tar.wait() != 0 or imported.returncode != 0:
            raise ImageError(f"podman import: {imported.stderr.strip()[-300:]}")
    archive = out / f"awscli-cwlogs-{version}.oci.tar"
    archive.unlink(missing_ok=True)
    _run(["podman", "save", "--format", "oci-archive", "-o", str(archive), tag], "podman save")
    return archive, archive.stat().st_size


def _run(command, what):
    """``command``, with the system folders on PATH (debootstrap and dpkg call ldconfig and
    start-stop-daemon, in /sbin; CI runs with PATH=/usr/bin:/bin)."""
    result = subprocess.run(command, capture_output=True, text=True, env=_system_path())
    if result.returncode != 0:
        raise ImageError(f"{what} failed: {(result.stderr or result.stdout).strip()[-300:]}")


def _system_path():
    return dict(os.environ, PATH=os.pathsep.join(["/usr/sbin", "/usr/bin", "/sbin", "/bin",
                                                  os.environ.get("PATH") or os.defpath]))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="dev.py image")
    parser.add_argument("--deb", type=Path, help="the .deb to install (default: dist/'s for this version, built "
                                                 "with `python3 dev.py package --formats deb` if missing)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the archive goes (default dist)")
    parser.add_argument("--mirror", default=MIRROR, help=f"the Debian mirror debootstrap reads (default {MIRROR})")
    parser.add_argument("--tag", help="the image's name (default awscli-cwlogs:VERSION)")
    args = parser.parse_args(argv)
    missing = [name for name in ("debootstrap", "podman", "chroot") if tool(name) is None]
    if missing:
        sys.exit(f"image: needs {', '.join(missing)} (Debian: apt-get install debootstrap podman)")
    if os.geteuid() != 0:
        sys.exit("image: debootstrap and chroot need root")
    version = deb.debian_version(deb.source_version())
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    package = args.deb or args.out / f"awscli-cwlogs_{version}_{arch}.deb"
    if not package.exists():
        sys.exit(f"image: no {package}: run python3 dev.py wheels dist/wheels and python3 dev.py package "
                 "--formats deb first, or give --deb")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        tag = args.tag or f"awscli-cwlogs:{version.replace('~', '-')}"  # a tag takes no ~
        archive, size = build(package.resolve(), args.out.resolve(), tag, args.mirror)
    except ImageError as error:
        sys.exit(f"image: {error}")
    print(f"{archive}: {size / 1e6:.0f} MB (podman load -i {archive.name}; docker load -i {archive.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
