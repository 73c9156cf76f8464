"""`python3 dev.py package`: the agent as a .deb (packages/deb.py) and an .rpm (packages/rpm.py),
from this checkout and the wheels `python3 dev.py wheels` gathered, with no network of its own.
Both hold one tree, staged by launcher/install.sh --root.

    python3 dev.py package [--wheels DIR] [--version V] [--out DIR] [--formats deb,rpm]
"""
import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from packages import deb, rpm  # noqa: E402

TOOLS = {"deb": ("dpkg-deb", "apt-get install dpkg"), "rpm": ("rpmbuild", "apt-get install rpm")}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="dev.py package")
    parser.add_argument("--wheels", type=Path, default=ROOT / "dist" / "wheels",
                        help="the wheels `python3 dev.py wheels DIR` gathered (default dist/wheels)")
    parser.add_argument("--version", help="the packages' version (default: awscli_cwlogs.__version__, "
                                          "2.0.0.dev0 as 2.0.0~dev0, which sorts before 2.0.0)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the packages go (default dist)")
    parser.add_argument("--formats", default="deb,rpm", help="deb, rpm or both (default)")
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    unknown = [name for name in formats if name not in TOOLS]
    if unknown:
        parser.error(f"--formats: {', '.join(unknown)} is not deb or rpm")
    for name in formats:
        if shutil.which(TOOLS[name][0]) is None:
            sys.exit(f"package: the {name} needs {TOOLS[name][0]} (Debian: {TOOLS[name][1]}); "
                     f"or leave it out with --formats")
    if not Path("/usr/bin/python3").exists():
        sys.exit("package: the packages' virtualenv is made from the release of /usr/bin/python3, and there is none")
    if not list(args.wheels.glob("awscli-*.whl")):
        sys.exit(f"package: no awscli wheel in {args.wheels}: run python3 dev.py wheels {args.wheels} first")
    version = args.version or deb.debian_version(deb.source_version())
    with tempfile.TemporaryDirectory(prefix="cwlogs-package-") as folder:
        work, out = Path(folder), args.out.resolve()
        try:
            deb.stage(deb.checkout_wheels(args.wheels.resolve(), work), work / "tree")
            built = [deb.pack(work / "tree", version, out) if name == "deb"
                     else rpm.pack_rpm(work / "tree", version, out, work) for name in formats]
        except deb.PackageError as error:
            sys.exit(f"package: {error}")
    print("\n".join(map(str, built)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
