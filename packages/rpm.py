"""The .rpm of `python3 dev.py package` (packages/build.py): the tree packages/deb.py stages, as an .rpm,
with rpmbuild. RPM runs scriptlets in another order than dpkg: on an upgrade the new package's
%post runs before the old one's %preun, so the agent is stopped in %pre (before any file
changes) and started in %posttrans (after the old files are gone), and only an erase (%preun
with 0 left) removes the unit. RPM has no purge: erasing keeps the state folder and the user,
and an edited conffile is kept as .rpmsave.
"""
import shutil
import subprocess
from pathlib import Path

from packages.deb import CONFFILES, MAINTAINER, NAME, PREFIX, PackageError, python_release, setup_script

SCRIPTLETS = {
    "pre": """if [ "$1" -gt 1 ] && systemd_runs; then  # an upgrade: the agent sends what it read and saves where it is
    systemctl stop awslogs.service || true
fi
""",
    "posttrans": """"$VENV/bin/python" -m compileall -q "$VENV/lib" >/dev/null || true
install_config
install_unit
make_user
start_service
""",
    "preun": """if [ "$1" -eq 0 ]; then
    uninstall
    find "$VENV" -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true
fi
""",
}


def spec(tree, version, arch):
    # RPM has no purge: what a purge removes stays, and the note on removal says how to remove it
    scriptlets = "".join(f"\n%{name}\n" + setup_script(name, "rm -r /etc/awslogs /var/lib/awslogs", body)
                         for name, body in SCRIPTLETS.items())
    return f"""Name: {NAME}
Version: {version}
Release: 1
Summary: CloudWatch Logs agent (aws logs push) with pull, filter and query
License: Apache-2.0
Packager: {MAINTAINER}
BuildArch: {arch}
AutoReqProv: no
Requires: /usr/bin/python{python_release()}, /usr/bin/python3, glibc >= 2.17

%description
The awscli_cwlogs plugin for the AWS CLI, in a virtualenv of its own under {PREFIX}, run as
the hardened systemd service awslogs. Configuration in /etc/awslogs, state in /var/lib/awslogs.

%install
cp -a {tree}/. %{{buildroot}}/
rm -rf %{{buildroot}}/usr/share/lintian

%files
{PREFIX}
%dir /etc/awslogs
%dir /etc/awslogs/config
{"".join(f"%config(noreplace) {path}{chr(10)}" for path in CONFFILES)}/usr/share/doc/{NAME}
{scriptlets}"""


def pack_rpm(tree, version, out, work, compression="w9.xzdio"):
    """The staged ``tree`` as an .rpm of ``version`` in ``out``; its path."""
    arch = subprocess.run(["rpm", "--eval", "%{_arch}"], capture_output=True, text=True, check=True).stdout.strip()
    top = work / "rpmbuild"
    shutil.rmtree(top, ignore_errors=True)
    (top / "SPECS").mkdir(parents=True)
    spec_file = top / "SPECS" / f"{NAME}.spec"
    spec_file.write_text(spec(tree, version, arch))
    result = subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}",
                             "--define", f"_binary_payload {compression}", "--define", "__os_install_post %{nil}",
                             "--define", "debug_package %{nil}", str(spec_file)], capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"rpmbuild: {result.stderr.strip()[-800:]}")
    built = next((top / "RPMS" / arch).glob("*.rpm"))
    out.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(built, out / built.name))
