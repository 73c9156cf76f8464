#!/bin/sh
# Installs the CloudWatch Logs agent (`aws logs push`) from this checkout as a hardened systemd
# service, in a virtualenv of its own, so it never depends on (or breaks) the host's `aws`.
#
#   sudo launcher/install.sh                  install, or upgrade in place (configuration and state kept)
#   sudo launcher/install.sh --uninstall      remove what it installed; keep /etc/awslogs and /var/lib/awslogs
#   sudo launcher/install.sh --purge          remove those too, and the awslogs user
#
# Options:
#   --root DIR       stage everything under DIR; touch nothing else, call no systemctl, create no user
#   --wheels DIR     install from the wheels in DIR alone (made by `python3 dev.py wheels DIR`): no PyPI
#   --python PY      the Python (3.10+) the virtualenv is made from (default: /usr/bin/python3 when it
#                    is 3.10+, else python3 on PATH); the service user must be able to run it
#   --region R       the region written to a new aws.conf (default: us-east-1)
#   --config LOC     the agent's configuration: a file, or ssm:/NAME, a parameter of SSM Parameter Store
#                    that the agent follows while it runs (default: /etc/awslogs/awslogs.conf);
#                    kept in /etc/awslogs/launcher.env, so an upgrade without it keeps it
#   --additional-configs LOC   further sections: a folder, or ssm:/PATH/, every parameter under it
#                    (default: /etc/awslogs/config)
#   --user NAME      the user the service runs as (default: awslogs, created if missing; root reads anything)
#   --cli-v2         also let the host's AWS CLI v2 load the plugin (aws logs pull/filter/push), through
#                    cli_legacy_plugin_path in ${AWS_CONFIG_FILE:-~/.aws/config}
#   --no-start       install and enable, but do not (re)start the service
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
ME=install.sh TEMPLATES=$SRC/launcher OWN_VENV=yes
. "$SRC/launcher/setup.sh"

ROOT='' WHEELS='' PYTHON='' REGION=us-east-1 RUN_AS=awslogs CLI_V2='' ACTION=install START=yes
CONFIG='' ADDITIONAL=
location() {  # a file, a folder or ssm:/NAME, as one word systemd's EnvironmentFile= keeps as it is
    case "$2" in
        *[[:space:]\'\"\\\$\`]*) die "$1 $2: no spaces, quotes, backslashes or \$ in a location" ;;
        ssm:/?*) ;;
        ssm:*) die "$1 $2: give a parameter name after ssm:, such as ssm:/cwlogs-agent/web/main" ;;
        /*) ;;
        *) die "$1 $2: give an absolute path or ssm:/NAME" ;;
    esac
    printf '%s\n' "$2"
}
while [ $# -gt 0 ]; do
    case "$1" in
        --root) [ $# -ge 2 ] || die "--root needs a folder"; ROOT=$(mkdir -p "$2" && cd "$2" && pwd); shift ;;
        --wheels) [ $# -ge 2 ] || die "--wheels needs a folder"; WHEELS=$(cd "$2" && pwd) || die "--wheels: no folder $2"; shift ;;
        --python) [ $# -ge 2 ] || die "--python needs a command"; PYTHON=$2; shift ;;
        --region) [ $# -ge 2 ] || die "--region needs a region"; REGION=$2; shift ;;
        --config) [ $# -ge 2 ] || die "--config needs a file or ssm:/NAME"; CONFIG=$(location --config "$2"); shift ;;
        --additional-configs) [ $# -ge 2 ] || die "--additional-configs needs a folder or ssm:/PATH/"
            ADDITIONAL=$(location --additional-configs "$2"); shift ;;
        --user) [ $# -ge 2 ] || die "--user needs a user name"; RUN_AS=$2; shift ;;
        --cli-v2) CLI_V2=yes ;;
        --no-start) START= ;;
        --uninstall) ACTION=uninstall ;;
        --purge) ACTION=purge ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
if [ -z "$ROOT" ] && [ "$(id -u)" != 0 ]; then
    die "run it as root (sudo), or stage it with --root DIR"
fi
staged_paths
make_venv() {
    if [ -z "$PYTHON" ]; then
        PYTHON=python3
        if /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            PYTHON=/usr/bin/python3  # the system's, not one under a home folder the service may not enter
        fi
    fi
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
        || die "$PYTHON is missing or older than Python 3.10 (choose another with --python)"
    if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        return  # upgrade in place
    fi
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" \
        || die "cannot create a virtualenv with $PYTHON (Debian and Ubuntu: apt-get install python3-venv)"
}

pip_install() {
    "$VENV/bin/python" -m pip --quiet --disable-pip-version-check "$@"
}

pip_add() {  # pip install, from --wheels DIR alone when given, else with PyPI
    if [ -n "$OFFLINE" ]; then
        pip_install install --no-index --find-links "$WHEELS" "$@"
    else
        pip_install install "$@"
    fi
}

# The plugin's wheel from this checkout, built in a temporary copy of it: pip builds in its source's
# build/ folder, which two installs at once (or a test run beside one) would share and break
build_wheel() {
    BUILD=$(mktemp -d)
    trap 'rm -rf "$BUILD"' EXIT
    mkdir "$BUILD/src" "$BUILD/wheel"
    cp -R "$SRC/setup.py" "$SRC/setup.cfg" "$SRC/README.md" "$SRC/awscli_cwlogs" "$BUILD/src/"
    pip_install wheel --no-deps --use-pep517 --wheel-dir "$BUILD/wheel" "$BUILD/src" \
        || die "cannot build the plugin's wheel from $SRC"
    WHEELS=$BUILD/wheel
}

install_packages() {
    OFFLINE=$WHEELS
    [ -n "$WHEELS" ] || build_wheel
    wheel=''
    for candidate in "$WHEELS"/awscli_cwlogs-*.whl; do  # the last in name order: the newest version
        [ -f "$candidate" ] && wheel=$candidate
    done
    [ -n "$wheel" ] || die "--wheels: no awscli_cwlogs wheel in $WHEELS (make them with: python3 dev.py wheels DIR)"
    pip_add "${wheel}[host-metrics]"
    pip_add --force-reinstall --no-deps "$wheel"  # same version, newer code: replace it
    "$VENV/bin/python" -c 'import awscli, awscli_cwlogs, configobj' || die "the virtualenv at $VENV is not usable"
    install -m 0755 "$SRC/launcher/awslogs-agent-launcher.sh" "$VENV/bin/awslogs-agent-launcher"
    install -m 0755 "$SRC/launcher/iot-credential-process" "$VENV/bin/iot-credential-process"
    install -m 0644 "$SRC/README.md" "$VENV/README.md"  # the unit's Documentation=
}

register_cli_v2() {
    pip_add --upgrade --no-deps --target "$PLUGIN_DIR" "$wheel" configobj "plotext>=5.2,<6"
    aws_v2=$(command -v aws || true)
    if [ -z "$aws_v2" ] || ! "$aws_v2" --version 2>/dev/null | grep -q '^aws-cli/2\.'; then
        say "no AWS CLI v2 on PATH: the plugin for it is in $PLUGIN_DIR; see the README, AWS CLI v2"
        return 0
    fi
    if [ -n "$ROOT" ] && [ -z "${AWS_CONFIG_FILE:-}" ]; then
        say "staged the plugin for AWS CLI v2 in $PLUGIN_DIR; on the host, add to [plugins] of the AWS config:"
        say "  cli_legacy_plugin_path = $PREFIX/cli-v2-plugin"
        say "  cwlogs = awscli_cwlogs"
        return 0
    fi
    config=${AWS_CONFIG_FILE:-$HOME/.aws/config}
    "$aws_v2" configure set plugins.cli_legacy_plugin_path "$PLUGIN_DIR"
    "$aws_v2" configure set plugins.cwlogs awscli_cwlogs
    grep -qxF "$config" "$REGISTERED" 2>/dev/null || echo "$config" >> "$REGISTERED"
    say "AWS CLI v2 ($aws_v2) loads the plugin now (registered in $config): try aws logs pull help"
}

if [ "$ACTION" != install ]; then
    uninstall
    exit 0
fi
make_venv
install_packages
install_config
install_unit
make_user
[ -z "$CLI_V2" ] || register_cli_v2
say "check the configuration with:"
case "$CONFIG" in ssm:*) shown=$CONFIG ;; *) shown=$ROOT${CONFIG:-$ETC/awslogs.conf} ;; esac
case "$ADDITIONAL" in ssm:*) shown="$shown --additional-configs-dir $ADDITIONAL" ;; esac
case "$CONFIG|$ADDITIONAL" in ssm:*|*"|ssm:"*) shown="$shown --state-dir $ROOT$STATE" ;; esac
say "  AWS_CONFIG_FILE=$ROOT$ETC/aws.conf $VENV/bin/aws logs push --config-file $shown --check"
start_service
