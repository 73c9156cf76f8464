"""The .deb of `python3 dev.py package` (packages/build.py), built from this checkout, offline.

The tree is what `launcher/install.sh --root STAGE --wheels DIR` stages (a virtualenv of its own
under /opt/awscli-cwlogs made from /usr/bin/python3.X, the Python release /usr/bin/python3 is
here, which the package then depends on; the configuration in /etc/awslogs), made to
live at /opt/awscli-cwlogs (scripts and activate files named the staging folder) and without
byte-code (the postinst compiles it where it runs). The unit, the user and the state folder are
not in it: the maintainer scripts make them with launcher/setup.sh, the steps install.sh runs,
copied into each script (postrm runs after the package's files are gone).
"""
import functools
import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

from packages import pluginwheel

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "/opt/awscli-cwlogs"
NAME = "awscli-cwlogs"
CONFFILES = ("/etc/awslogs/awslogs.conf", "/etc/awslogs/aws.conf", "/etc/awslogs/proxy.conf")
MAINTAINER = f"{NAME} maintainers <{NAME}@users.noreply.github.com>"
SHARED = ("awslogs.conf", "awslogs.service")  # the templates the maintainer scripts read


class PackageError(Exception):
    """What stops a build, said in one line."""


def source_version():
    """awscli_cwlogs.__version__, read from the source (the one place it is kept)."""
    text = (ROOT / "awscli_cwlogs" / "__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def debian_version(version):
    """A PEP 440 version as Debian orders it: 2.0.0.dev0 -> 2.0.0~dev0 (before 2.0.0)."""
    return re.sub(r"\.?(dev|a|b|rc)(\d+)", r"~\1\2", version)


def stage(wheels, folder):
    """The installed tree under ``folder`` (install.sh --root, from ``wheels`` alone)."""
    result = subprocess.run(["sh", str(ROOT / "launcher" / "install.sh"), "--root", str(folder), "--wheels",
                             str(wheels), "--python", f"/usr/bin/python{python_release()}", "--no-start"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"launcher/install.sh could not stage the tree: {result.stderr.strip()[-500:]}")
    shutil.rmtree(folder / "etc" / "systemd")  # postinst writes the unit, for this host's groups and user
    shutil.rmtree(folder / "var")  # postinst makes the state folder, 0700, for the service's user
    venv = folder / PREFIX.lstrip("/")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "--quiet", "--yes", "pip"], check=True,
                   capture_output=True)  # dpkg owns these files: nothing is to be installed into them by hand
    for library in venv.rglob("*.so"):
        subprocess.run(["strip", "--strip-unneeded", str(library)], check=True)
    for path in (venv / "lib").rglob("*"):  # data files some wheels mark executable
        if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o111 and not _runnable(path):
            path.chmod(0o644)
    relocate(folder)
    share = venv / "share" / NAME
    share.mkdir(parents=True)
    for name in SHARED:
        shutil.copy2(ROOT / "launcher" / name, share / name)
    docs = folder / "usr" / "share" / "doc" / NAME
    docs.mkdir(parents=True)
    (docs / "copyright").write_text(copyright_text())
    (docs / "README.md.gz").write_bytes(gzip.compress((ROOT / "README.md").read_bytes(), mtime=0))
    overrides = folder / "usr" / "share" / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    (overrides / NAME).write_text(LINTIAN_OVERRIDES)


# Why each stays: the package is a self-contained runtime from outside the distribution
LINTIAN_OVERRIDES = f"""\
# A self-contained runtime of software from outside the distribution lives in /opt (FHS 3.13),
# as the CloudWatch agent's /opt/aws does: the agent never depends on, or breaks, the host's Python packages.
{NAME}: dir-or-file-in-opt [*]
# PyYAML's wheel (a dependency of the AWS CLI) links libyaml into its extension.
{NAME}: embedded-library libyaml [*]
"""


def _runnable(path):
    """An ELF object or a script."""
    with open(path, "rb") as file:
        head = file.read(4)
    return head == b"\x7fELF" or head[:2] == b"#!"


def relocate(folder):
    """The virtualenv made to live at PREFIX: every text file under bin/ and pyvenv.cfg that names
    the staging folder names PREFIX instead; no byte-code compiled for the staging paths."""
    venv = folder / PREFIX.lstrip("/")
    staged = str(venv).encode()
    for path in [venv / "pyvenv.cfg", *(p for p in (venv / "bin").iterdir() if p.is_file() and not p.is_symlink())]:
        data = path.read_bytes()
        if staged in data and b"\0" not in data:
            path.write_bytes(data.replace(staged, PREFIX.encode()))
    for cache in list(venv.rglob("__pycache__")):
        shutil.rmtree(cache)
    left = [str(p) for p in venv.rglob("*") if p.is_file() and not p.is_symlink() and staged in p.read_bytes()]
    if left:
        raise PackageError(f"files still name the staging folder {venv}: {', '.join(left[:5])}")


def copyright_text():
    return (f"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
            f"Upstream-Name: {NAME}\n\nFiles: *\nCopyright: 2026 the {NAME} authors\nLicense: Apache-2.0\n"
            f"Comment: {PREFIX} also holds the AWS CLI and the packages it needs, each under its own\n"
            f" license, which its {PREFIX}/lib/python3*/site-packages/*.dist-info/ folder holds.\n\n"
            "License: Apache-2.0\n On Debian systems the full text is in /usr/share/common-licenses/Apache-2.0.\n")


def changelog(version):
    """A native package's changelog: one entry, the version built."""
    when = subprocess.run(["date", "-R"], capture_output=True, text=True, check=True).stdout.strip()
    return (f"{NAME} ({version}) unstable; urgency=medium\n\n  * Built from the checkout by python3 dev.py package.\n\n"
            f" -- {MAINTAINER}  {when}\n")


# What every maintainer script (and RPM scriptlet) starts with, before launcher/setup.sh's steps
_HEADER = ("# Generated by packages/ from launcher/setup.sh (the steps launcher/install.sh runs).\nset -eu\n"
           f'ME="{NAME} ({{action}})" ROOT=${{{{DPKG_ROOT:-}}}} OWN_VENV= RUN_AS=awslogs REGION=us-east-1\n'
           'CONFIG= ADDITIONAL= START=yes ACTION=install PURGE_HINT="{hint}"\n')


def setup_script(action, purge_hint, body):
    """A maintainer script's or RPM scriptlet's text: launcher/setup.sh's steps, then ``body``;
    ``purge_hint`` is what the note on removal says removes the configuration and state."""
    return (_HEADER.format(action=action, hint=purge_hint) + (ROOT / "launcher" / "setup.sh").read_text()
            + f"staged_paths\nTEMPLATES=$VENV/share/{NAME}\n" + body)


def maintainer_script(action):
    """A maintainer script: launcher/setup.sh's steps, then what dpkg's ``action`` asks."""
    return "#!/bin/sh\n" + setup_script(action, f"dpkg --purge {NAME}", ACTIONS[action])


ACTIONS = {
    "postinst": """case "$1" in
    configure)
        "$VENV/bin/python" -m compileall -q "$VENV/lib" >/dev/null || true
        install_config
        install_unit
        make_user
        start_service ;;
esac
""",
    "prerm": """case "$1" in
    upgrade)  # stopped with SIGTERM, it sends what it read and saves where it is; postinst starts the new one
        if systemd_runs; then systemctl stop awslogs.service || true; fi ;;
    remove|deconfigure)
        uninstall ;;
esac
find "$VENV" -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
""",
    "postrm": """case "$1" in
    purge)
        ACTION=purge
        uninstall ;;
esac
""",
}


@functools.cache
def python_release():
    """The release of /usr/bin/python3 (3.11 on Debian 12): the virtualenv is made from, and
    links to, /usr/bin/python3.11, which the package depends on (its site-packages and compiled
    wheels are for that release alone)."""
    return subprocess.run(["/usr/bin/python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def control(version, arch, installed_kb):
    return (f"Package: {NAME}\nVersion: {version}\nArchitecture: {arch}\nSection: admin\nPriority: optional\n"
            f"Maintainer: {MAINTAINER}\nInstalled-Size: {installed_kb}\n"
            # iot-credential-process runs with the host's python3; the wheels' extensions are
            # manylinux2014 (glibc 2.17)
            f"Depends: python{python_release()}, python3, libc6 (>= 2.17)\n"
            "Recommends: systemd, libsystemd0\n"
            "Description: CloudWatch Logs agent (aws logs push) with pull, filter and query\n"
            " The awscli_cwlogs plugin for the AWS CLI, in a virtualenv of its own under\n"
            f" {PREFIX}, run as the hardened systemd service awslogs. It follows log\n"
            " files, the journal and container logs and sends them to CloudWatch Logs,\n"
            " resuming exactly where it stopped. Configuration in /etc/awslogs, state\n"
            " in /var/lib/awslogs.\n")


def checkout_wheels(wheels, work):
    """A folder with the dependencies' wheels from ``wheels`` and the plugin's, built now from the
    checkout (a wheel gathered earlier may hold older code), offline: the build tools come from
    ``wheels`` too."""
    folder = work / "wheels"
    folder.mkdir()
    for wheel in wheels.glob("*.whl"):
        if not wheel.name.startswith("awscli_cwlogs-"):
            shutil.copy2(wheel, folder)
    result = pluginwheel.build(sys.executable, folder, "--no-index", "--find-links", str(folder))
    if result.returncode != 0:
        raise PackageError(f"cannot build the plugin's wheel offline (run python3 dev.py wheels {wheels} again: "
                           f"it gathers the build tools too): {result.stderr.strip()[-300:]}")
    return folder


def pack(tree, version, out, compression="xz"):
    """The staged ``tree`` as a .deb of ``version`` in ``out``; its path. ``compression``: xz, as
    Debian's own packages, or gzip (four times faster to build, 40 % larger)."""
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    debian = tree / "DEBIAN"
    shutil.rmtree(debian, ignore_errors=True)
    debian.mkdir()
    size_kb = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    (debian / "control").write_text(control(version, arch, size_kb))
    (debian / "conffiles").write_text("".join(f"{path}\n" for path in CONFFILES))
    (tree / "usr" / "share" / "doc" / NAME / "changelog.gz").write_bytes(gzip.compress(changelog(version).encode(),
                                                                                         mtime=0))
    for action in ACTIONS:
        script = debian / action
        script.write_text(maintainer_script(action))
        script.chmod(0o755)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{NAME}_{version}_{arch}.deb"
    result = subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(tree), str(target)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"dpkg-deb: {result.stderr.strip()}")
    shutil.rmtree(debian)
    return target
