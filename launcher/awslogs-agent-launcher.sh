#!/bin/sh
# Starts the CloudWatch Logs agent (`aws logs push`) with a clean environment, at lower CPU
# priority. Only the proxy variables listed in proxy.conf are passed on; nothing else from
# the caller's environment reaches the agent (no stray AWS_* variables, no credentials).
#
# Settings (from the caller's environment, read before it is cleared):
#   AWSLOGS_CONFIG_DIR  folder with awslogs.conf, config/, aws.conf, proxy.conf (/etc/awslogs)
#   AWSLOGS_AWS         the aws command to run. Default: where install.sh put this launcher (the
#                       bin/ of the agent's virtualenv), that virtualenv's Python with `-m awscli`,
#                       which works wherever the tree was moved to; elsewhere the first `aws` on PATH
#   AWSLOGS_NICE        niceness added with nice (4; the systemd unit sets Nice= itself and 0 here)
#   AWSLOGS_HOME        HOME for the agent (/var/lib/awslogs, its state folder)
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
if [ ! -f "$CONFIG_DIR/awslogs.conf" ]; then
    echo "awslogs-agent-launcher: $CONFIG_DIR/awslogs.conf not found" >&2
    exit 1
fi
ADDITIONAL=
if [ -d "$CONFIG_DIR/config" ]; then
    ADDITIONAL=$CONFIG_DIR/config
fi

# proxy.conf holds lines NAME=VALUE; only these names are used, and nothing in it is executed.
set -- HOME="${AWSLOGS_HOME:-/var/lib/awslogs}" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
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
set -- "$@" logs push --config-file "$CONFIG_DIR/awslogs.conf"
if [ -n "$ADDITIONAL" ]; then
    set -- "$@" --additional-configs-dir "$ADDITIONAL"
fi
exec env -i "$@"
