#!/bin/sh
# Starts the CloudWatch Logs agent (`aws logs push`) with a clean environment, at lower CPU
# priority. Only the proxy variables listed in proxy.conf are passed on; nothing else from
# the caller's environment reaches the agent (no stray AWS_* variables, no credentials).
#
# Settings (from the caller's environment, read before it is cleared):
#   AWSLOGS_CONFIG_DIR  folder with awslogs.conf, config/, aws.conf, proxy.conf (/etc/awslogs)
#   AWSLOGS_CONFIG      the configuration: a file, or ssm:/NAME, a parameter of SSM Parameter Store
#                       (default: awslogs.conf of AWSLOGS_CONFIG_DIR). install.sh --config sets it
#                       in launcher.env there, which the systemd unit reads
#   AWSLOGS_ADDITIONAL_CONFIGS  further sections: a folder, or ssm:/PATH/ (every parameter under it;
#                       default: config/ of AWSLOGS_CONFIG_DIR, when it is there)
#   AWSLOGS_AWS         the aws command to run. Default: where install.sh put this launcher (the
#                       bin/ of the agent's virtualenv), that virtualenv's Python with `-m awscli`,
#                       which works wherever the tree was moved to; elsewhere the first `aws` on PATH
#   AWSLOGS_NICE        niceness added with nice (4; the systemd unit sets Nice= itself and 0 here)
#   AWSLOGS_LOCK_WAIT   seconds to wait for another agent on the same state file to stop (40:
#                       the unit's TimeoutStopSec)
#   AWSLOGS_HOME        HOME for the agent (/var/lib/awslogs, its state folder; with ssm: it keeps
#                       the last good configuration there, passed as --state-dir)
set -eu

CONFIG_DIR=${AWSLOGS_CONFIG_DIR:-/etc/awslogs}
NICE=${AWSLOGS_NICE:-4}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ -n "${AWSLOGS_AWS:-}" ]; then
    AWS=$AWSLOGS_AWS PYTHON_M=
elif [ -x "$HERE/python" ] && [ -f "$HERE/../pyvenv.cfg" ]; then
    AWS=$HERE/python PYTHON_M=awscli  # run with -I: not the current folder's packages, no PYTHON* variables
else
    AWS=$(command -v aws || true) PYTHON_M=
fi
if [ -z "$AWS" ] || [ ! -x "$AWS" ]; then
    echo "awslogs-agent-launcher: no aws command found; set AWSLOGS_AWS" >&2
    exit 1
fi
CONFIG=${AWSLOGS_CONFIG:-$CONFIG_DIR/awslogs.conf}
case "$CONFIG" in
    ssm:*) ;;
    *) if [ ! -f "$CONFIG" ]; then
           echo "awslogs-agent-launcher: $CONFIG not found" >&2
           exit 1
       fi ;;
esac
ADDITIONAL=${AWSLOGS_ADDITIONAL_CONFIGS:-}
if [ -z "$ADDITIONAL" ] && [ -d "$CONFIG_DIR/config" ]; then
    ADDITIONAL=$CONFIG_DIR/config
fi
STATE_DIR=${AWSLOGS_HOME:-/var/lib/awslogs}

# proxy.conf holds lines NAME=VALUE; only these names are used, and nothing in it is executed.
set -- HOME="$STATE_DIR" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    AWS_CONFIG_FILE="$CONFIG_DIR/aws.conf" AWS_SHARED_CREDENTIALS_FILE="$CONFIG_DIR/aws.credentials"
if [ -f "$CONFIG_DIR/proxy.conf" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            HTTP_PROXY=*|HTTPS_PROXY=*|NO_PROXY=*|http_proxy=*|https_proxy=*|no_proxy=*)
                set -- "$@" "$line" ;;
        esac
    done < "$CONFIG_DIR/proxy.conf"
fi

set -- "$@" nice -n "$NICE" "$AWS"
if [ -n "$PYTHON_M" ]; then
    set -- "$@" -I -m "$PYTHON_M"
fi
# One agent per state file: a restart's new agent waits for the old one's lock as long as systemd
# waits for a stopping agent (TimeoutStopSec in awslogs.service), rather than failing at once.
set -- "$@" logs push --config-file "$CONFIG" --wait-for-state-lock "${AWSLOGS_LOCK_WAIT:-40}"
if [ -n "$ADDITIONAL" ]; then
    set -- "$@" --additional-configs-dir "$ADDITIONAL"
fi
case "$CONFIG|$ADDITIONAL" in
    ssm:*|*"|ssm:"*) set -- "$@" --state-dir "$STATE_DIR" ;;  # where the last good configuration is kept
esac
exec env -i "$@"
