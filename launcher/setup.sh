# The steps launcher/install.sh and the packages' maintainer scripts share (sourced by the one,
# copied into the others when `python3 dev.py package` builds them): the configuration, the unit,
# the user and state folder, start, and removal. The caller sets:
#   ME          the name errors and notes start with
#   ROOT        a folder everything is staged under ('' on the host itself: then users and systemctl)
#   TEMPLATES   the folder with awslogs.conf and awslogs.service
#   OWN_VENV    yes: removal also removes the virtualenv (install.sh); '' (a package: dpkg or rpm does)
#   PURGE_HINT  what removes the configuration and state too (default: --purge, install.sh's option)
#   ACTION RUN_AS REGION CONFIG ADDITIONAL START   as install.sh's options set them
PREFIX=/opt/awscli-cwlogs
ETC=/etc/awslogs
STATE=/var/lib/awslogs
UNIT=/etc/systemd/system/awslogs.service
die() { echo "$ME: $*" >&2; exit 1; }
say() { echo "$ME: $*"; }
staged_paths() {  # once ROOT is known
    VENV=$ROOT$PREFIX
    PLUGIN_DIR=$VENV/cli-v2-plugin
    REGISTERED=$VENV/.cli-v2-registered  # AWS config files that --cli-v2 added our two lines to
}

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
    [ -z "$OWN_VENV" ] || rm -rf "$VENV"
    systemd_runs && systemctl daemon-reload
    if [ "$ACTION" = purge ]; then
        rm -rf "$ROOT$ETC" "$ROOT$STATE"
        if on_host && [ "$RUN_AS" != root ] && id "$RUN_AS" >/dev/null 2>&1; then
            userdel "$RUN_AS" 2>/dev/null || true
        fi
        say "removed the agent, its configuration ($ETC) and its state ($STATE)"
    else
        say "removed the agent; kept its configuration ($ROOT$ETC) and state ($ROOT$STATE)" \
            "(${PURGE_HINT:---purge} removes them)"
    fi
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
        install -m 0644 "$TEMPLATES/awslogs.conf" "$ROOT$ETC/awslogs.conf"
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
        "$TEMPLATES/awslogs.service" > "$ROOT$UNIT"
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
