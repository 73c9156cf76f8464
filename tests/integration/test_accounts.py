"""Credentials per section: profiles sign with their own keys, a role is assumed with its external
id and assumed again before its credentials expire, and a role that cannot be assumed holds up
its own section only. Every request is seen on the wire (the proxy records the signing key)."""
from tests.harness.pushagent import PushAgent, section, settle, wait_until, write_lines
from tests.harness.wireproxy import expiring_in, sts_error

ROLE = "arn:aws:iam::123456789012:role/central-logs"  # moto's default account: the audit reads it
DENIED = "arn:aws:iam::123456789012:role/not-trusted"


def keys_of(wire, group, stream):
    return {call.access_key for call in wire.calls_of("PutLogEvents") if call.target == (group, stream)}


def add_profiles(aws, **keys):
    with open(aws.config_file, "a") as config:
        for name, key in keys.items():
            config.write(f"[profile {name}]\naws_access_key_id = {key}\n"
                         f"aws_secret_access_key = {name}secret{name}secret{name}secret\n")


def test_sections_with_different_profiles_sign_with_their_own_keys(aws, wire, tmp_path):
    add_profiles(aws, app="AKIAAPPAPPAPPAPPAPP1", security="AKIASECSECSECSECSEC2")
    log = tmp_path / "app.log"
    write_lines(log, 0, 30)
    sections = {"app": section(log, "g", "app", profile="app"),
                "auth": section(log, "g", "auth", profile="security"),
                "mine": section(log, "g", "mine"),
                "also-app": section(log, "g", "also-app", profile="app")}
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        check = aws.run("logs", "push", "--config-file", agent.config, "--check")
        agent.start()
        for name in sections:
            settle(wire, "g", name, 30)
        assert agent.stop() == 0
    assert keys_of(wire, "g", "app") == keys_of(wire, "g", "also-app") == {"AKIAAPPAPPAPPAPPAPP1"}
    assert keys_of(wire, "g", "auth") == {"AKIASECSECSECSECSEC2"}
    assert keys_of(wire, "g", "mine") == {"AKIDTESTTESTTESTTEST"}  # the agent's own (the default profile)
    assert "  signs with: profile security" in check.stdout
    assert "  signs with: the agent's own credentials" in check.stdout
    assert "secret" not in check.stdout


def test_an_unknown_profile_is_a_one_line_error_naming_the_section(aws, wire, tmp_path):
    agent = PushAgent(aws, tmp_path / "agent", {"auth": section(tmp_path / "x.log", "g", "s", profile="nope")})
    result = aws.run("logs", "push", "--config-file", agent.config)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert f"{agent.config}: [auth] profile: no profile 'nope'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_role_is_assumed_with_its_external_id_and_again_before_it_expires(aws, wire, logs, tmp_path):
    # botocore assumes a role again 15 minutes before the credentials expire: these expire in
    # 15 minutes and 2 seconds, so the agent must assume the role again while it runs
    wire.faults.at_random(1.0, [expiring_in(15 * 60 + 2)], actions=("AssumeRole",))
    log = tmp_path / "app.log"
    write_lines(log, 0, 20)
    add_profiles(aws, app="AKIAAPPAPPAPPAPPAPP1")  # a profile has no endpoint_url: STS's comes from the variable
    sections = {"central": section(log, "central", "s", role_arn=ROLE, external_id="ops-4242",
                                   role_session_name="web-1"),
                "by-profile": section(log, "central", "by-profile", role_arn=ROLE, profile="app")}
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        check = aws.run("logs", "push", "--config-file", agent.config, "--check")
        agent.start(env={"AWS_ENDPOINT_URL_STS": wire.url})
        settle(wire, "central", "s", 20)  # settled: nothing sent for 2 s, the credentials are in the window
        write_lines(log, 20, 20)
        settle(wire, "central", "s", 40)
        settle(wire, "central", "by-profile", 40)
        assert agent.stop() == 0
    assumed = [c for c in wire.calls_of("AssumeRole") if c.access_key == "AKIDTESTTESTTESTTEST"]  # the agent's own
    assert {(c.body["RoleArn"], c.body["ExternalId"], c.body["RoleSessionName"]) for c in assumed} == \
        {(ROLE, "ops-4242", "web-1")}
    by_profile = [c for c in wire.calls_of("AssumeRole") if c.access_key == "AKIAAPPAPPAPPAPPAPP1"]
    assert by_profile and by_profile[0].body["RoleSessionName"].startswith("aws-logs-push-")
    assert "ExternalId" not in by_profile[0].body
    assert keys_of(wire, "central", "by-profile") <= {c.issued_key for c in by_profile}
    issued = [c.issued_key for c in assumed]
    assert len(set(issued)) == len(issued) >= 2 and all(key.startswith("ASIA") for key in issued)
    used = keys_of(wire, "central", "s")
    assert used <= set(issued) and len(used) >= 2, (used, issued)  # shipped with the first and a later one
    assert len(logs.stored_events("central", "s")) == 40
    assert f"signs with: role {ROLE} with an external id, assumed with the agent's own credentials " \
           "(session name web-1)" in check.stdout
    assert "ops-4242" not in check.stdout


def test_a_role_that_cannot_be_assumed_holds_up_its_own_section_only(aws, wire, logs, tmp_path):
    def deny_one_role(handler, forward):
        if handler.call.body.get("RoleArn") == DENIED:
            return sts_error("AccessDenied", f"User is not authorized to perform: sts:AssumeRole on {DENIED}")(
                handler, forward)
        return forward()

    wire.faults.at_random(1.0, [deny_one_role], actions=("AssumeRole",))
    log = tmp_path / "app.log"
    write_lines(log, 0, 30)
    sections = {"auth": section(log, "central", "auth", role_arn=DENIED),
                "app": section(log, "g", "app"), "also": section(log, "g", "also", role_arn=ROLE)}
    with PushAgent(aws, tmp_path / "agent", sections) as agent:
        agent.start()
        settle(wire, "g", "app", 30)
        settle(wire, "g", "also", 30)
        wait_until(lambda: sum(c.body.get("RoleArn") == DENIED for c in wire.calls_of("AssumeRole")) >= 3, 30,
                   "three tries to assume the denied role")
        write_lines(log, 30, 10)  # the others keep shipping while it waits
        settle(wire, "g", "app", 40)
        assert not keys_of(wire, "central", "auth")
        wire.faults.clear()  # the trust policy is fixed: the section ships what it held
        settle(wire, "central", "auth", 40, timeout=90)
        assert agent.stop() == 0
        text = agent.log_text()
    denied = [line for line in text.splitlines() if "cannot assume role" in line]
    assert len(denied) == 1, text  # one line per outage, not one per retry
    assert "ERROR [auth] cannot assume role arn:aws:iam::123456789012:role/not-trusted: AccessDenied" in denied[0]
    assert "[auth] credentials work again" in text
    assert "Traceback" not in text
    assert len(logs.stored_events("central", "auth")) == len(logs.stored_events("g", "also")) == 40
