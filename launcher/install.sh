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

PREFIX=/opt/awscli-cwlogs
ETC=/etc/awslogs
STATE=/var/lib/awslogs
UNIT=/etc/systemd/system/awslogs.service
SRC=$(cd "$(dirname "$0")/.." && pwd)

ROOT='' WHEELS='' PYTHON='' REGION=us-east-1 RUN_AS=awslogs CLI_V2='' ACTION=install START=yes
CONFIG='' ADDITIONAL=
die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }
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
VENV=$ROOT$PREFIX
PLUGIN_DIR=$VENV/cli-v2-plugin
REGISTERED=$VENV/.cli-v2-registered  # AWS config files that --cli-v2 added our two lines to
on_host() { [ -z "$ROOT" ]; }
systemd_runs() { on_host && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

unregister_cli_v2() {
    [ -f "$REGISTERED" ] || return 0
    while IFS= read -r config; do
        [ -f "$config" ] || continue
        sed -i -e "\\|^cli_legacy_plugin_path = $PLUGIN_DIR\$|d" -e '/^cwlogs = awscli_cwlogs$/d' "$config"
        say "removed the plugin from the AWS CLI v2 configuration in $config"
    done < "$REGISTERED"
}

uninstall() {
    if systemd_runs; then
        systemctl disable --now awslogs.service 2>/dev/null || true
    fi
    unregister_cli_v2
    rm -f "$ROOT$UNIT"
    rm -rf "$VENV"
    systemd_runs && systemctl daemon-reload
    if [ "$ACTION" = purge ]; then
        rm -rf "$ROOT$ETC" "$ROOT$STATE"
        if on_host && [ "$RUN_AS" != root ] && id "$RUN_AS" >/dev/null 2>&1; then
            userdel "$RUN_AS" 2>/dev/null || true
        fi
        say "removed the agent, its configuration ($ETC) and its state ($STATE)"
    else
        say "removed the agent; kept its configuration ($ROOT$ETC) and state ($ROOT$STATE) (--purge removes them)"
    fi
}

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

install_packages() {
    if [ -n "$WHEELS" ]; then
        wheel=''
        for candidate in "$WHEELS"/awscli_cwlogs-*.whl; do  # the last in name order: the newest version
            [ -f "$candidate" ] && wheel=$candidate
        done
        [ -n "$wheel" ] || die "--wheels: no awscli_cwlogs wheel in $WHEELS (make them with: python3 dev.py wheels DIR)"
        pip_install install --no-index --find-links "$WHEELS" "${wheel}[host-metrics]"
        pip_install install --no-index --find-links "$WHEELS" --force-reinstall --no-deps "$wheel"
    else
        pip_install install --use-pep517 "${SRC}[host-metrics]"
        pip_install install --use-pep517 --force-reinstall --no-deps "$SRC"  # same version, newer code: replace it
    fi
    "$VENV/bin/python" -c 'import awscli, awscli_cwlogs, configobj' || die "the virtualenv at $VENV is not usable"
    install -m 0755 "$SRC/launcher/awslogs-agent-launcher.sh" "$VENV/bin/awslogs-agent-launcher"
    install -m 0755 "$SRC/launcher/iot-credential-process" "$VENV/bin/iot-credential-process"
    install -m 0644 "$SRC/README.md" "$VENV/README.md"  # the unit's Documentation=
}

install_config() {
    mkdir -p "$ROOT$ETC/config"
    if [ -n "$CONFIG$ADDITIONAL" ]; then
        printf '%s\n' "# Where the agent's configuration comes from: written by launcher/install.sh --config" \
            "# and --additional-configs; read by the awslogs service (EnvironmentFile=) and its launcher." \
            ${CONFIG:+"AWSLOGS_CONFIG=$CONFIG"} ${ADDITIONAL:+"AWSLOGS_ADDITIONAL_CONFIGS=$ADDITIONAL"} \
            > "$ROOT$ETC/launcher.env"
        chmod 0644 "$ROOT$ETC/launcher.env"
        say "the configuration: ${CONFIG:-$ETC/awslogs.conf}${ADDITIONAL:+ + $ADDITIONAL} (in $ROOT$ETC/launcher.env)"
    elif [ -f "$ROOT$ETC/launcher.env" ]; then
        . "$ROOT$ETC/launcher.env"  # an upgrade: what an earlier --config chose stays
        CONFIG=${AWSLOGS_CONFIG:-} ADDITIONAL=${AWSLOGS_ADDITIONAL_CONFIGS:-}
    fi
    case "$CONFIG" in ssm:*) ;; *) if [ ! -f "$ROOT$ETC/awslogs.conf" ]; then
        install -m 0644 "$SRC/launcher/awslogs.conf" "$ROOT$ETC/awslogs.conf"
        say "wrote $ROOT$ETC/awslogs.conf from the example: edit it to name your files"
    fi ;; esac
    if [ ! -f "$ROOT$ETC/aws.conf" ]; then
        printf '[default]\nregion = %s\n\n[plugins]\ncwlogs = awscli_cwlogs\n' "$REGION" > "$ROOT$ETC/aws.conf"
        chmod 0644 "$ROOT$ETC/aws.conf"
    elif ! grep -q '^cwlogs *= *awscli_cwlogs' "$ROOT$ETC/aws.conf"; then
        say "warning: $ROOT$ETC/aws.conf has no 'cwlogs = awscli_cwlogs' under [plugins]: the agent cannot start without it"
    fi
    if [ ! -f "$ROOT$ETC/proxy.conf" ]; then
        printf '%s\n' "# NAME=VALUE lines passed to the agent; only these names are used:" \
            "# HTTPS_PROXY=http://proxy.example.com:3128" "# NO_PROXY=169.254.169.254" > "$ROOT$ETC/proxy.conf"
    fi
    mkdir -p "$ROOT$STATE"
    chmod 0700 "$ROOT$STATE"
}

install_unit() {
    groups=
    for group in adm systemd-journal; do  # only the groups this host has: a missing one stops the unit
        if [ -n "$ROOT" ] || getent group "$group" >/dev/null 2>&1; then groups="$groups $group"; fi
    done
    mkdir -p "$(dirname "$ROOT$UNIT")"
    capabilities=
    [ "$RUN_AS" != root ] || capabilities=CAP_DAC_READ_SEARCH  # root reads others' files through it
    sed -e "s|^User=.*|User=$RUN_AS|" -e "s|^Group=.*|Group=$RUN_AS|" \
        -e "s|^SupplementaryGroups=.*|SupplementaryGroups=${groups# }|" \
        -e "s|^CapabilityBoundingSet=.*|CapabilityBoundingSet=$capabilities|" \
        "$SRC/launcher/awslogs.service" > "$ROOT$UNIT"
    chmod 0644 "$ROOT$UNIT"
}

make_user() {
    on_host && [ "$RUN_AS" != root ] || return 0
    if ! id "$RUN_AS" >/dev/null 2>&1; then
        useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
        say "created the system user $RUN_AS"
    fi
    chown -R "$RUN_AS:" "$STATE"
    if command -v setpriv >/dev/null && ! setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --clear-groups \
            "$VENV/bin/python" -c 'import awscli_cwlogs' 2>/dev/null; then
        die "the user $RUN_AS cannot run $VENV/bin/python (is its base Python in a folder only root may enter?); choose one with --python"
    fi
}

register_cli_v2() {
    if [ -n "$WHEELS" ]; then
        pip_install install --upgrade --no-deps --target "$PLUGIN_DIR" --no-index --find-links "$WHEELS" \
            "$wheel" configobj
    else
        pip_install install --upgrade --no-deps --target "$PLUGIN_DIR" --use-pep517 "$SRC" configobj
    fi
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

start_service() {
    if [ -n "$ROOT" ]; then
        say "staged under $ROOT (no service started)"
    elif systemd_runs; then
        systemctl daemon-reload
        systemctl enable awslogs.service
        if [ -n "$START" ]; then
            systemctl restart awslogs.service
            say "the agent runs: systemctl status awslogs; journalctl -u awslogs"
        fi
    else
        say "systemd does not run here: start the agent with $PREFIX/bin/awslogs-agent-launcher"
    fi
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
