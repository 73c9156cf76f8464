"""Credentials a Kubernetes pod gets, with nothing to configure in the agent: IAM Roles for
Service Accounts (a web identity token file and a role, exchanged through STS
AssumeRoleWithWebIdentity) and EKS Pod Identity (a container credentials endpoint and an
authorization token file). Credentials that expire every 5 s: 10,000 lines, 0 lost, 0
duplicated, and every request signed with a key handed out less than 5 s before it; a section's
own role_arn is assumed with the pod's credentials."""
import time

from tests.harness.podidentity import PodIdentityEndpoint
from tests.harness.pushagent import PacedWriter, PushAgent, assert_delivered, section, settle
from tests.harness.wireproxy import expiring_in

POD_ROLE = "arn:aws:iam::123456789012:role/logs-agent-pod"
SECTION_ROLE = "arn:aws:iam::123456789012:role/central-logs"
LIFETIME_S = 5
LINES = 10_000


def ship_while_keys_expire(agent, log, wire, env, streams):
    """Writes LINES lines over about 10 s (keys expire twice or more meanwhile) while the agent ships them."""
    writer = PacedWriter(log, per_second=1000)
    agent.start(env=env)
    writer.start()
    while writer.next < LINES:
        time.sleep(0.05)
    writer.stop()
    with open(log) as lines:
        written = sum(1 for _ in lines)
    for group, stream in streams:
        settle(wire, group, stream, written)
    assert agent.stop() == 0
    return written


def test_irsa_web_identity_credentials_that_expire_every_5_s(aws, wire, logs, tmp_path):
    wire.faults.at_random(1.0, [expiring_in(LIFETIME_S)], actions=("AssumeRoleWithWebIdentity", "AssumeRole"))
    token = tmp_path / "eks.amazonaws.com" / "serviceaccount" / "token"
    token.parent.mkdir(parents=True)
    token.write_text("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6bG9nczphZ2VudCJ9.c2ln")
    log = tmp_path / "app.log"
    log.touch()
    agent = PushAgent(aws, tmp_path / "agent", {"pod": section(log, "pod", "s"),
                                                "central": section(log, "central", "s", role_arn=SECTION_ROLE)})
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": str(token), "AWS_ROLE_ARN": POD_ROLE,
           "AWS_ROLE_SESSION_NAME": "node-1-agent", "AWS_ENDPOINT_URL_STS": wire.url}
    with agent:
        written = ship_while_keys_expire(agent, log, wire, env, [("pod", "s"), ("central", "s")])
    assert written >= LINES
    for group in ("pod", "central"):
        assert_delivered(logs, group, "s", range(written))
    exchanges = wire.calls_of("AssumeRoleWithWebIdentity")
    assert exchanges and {(c.body["RoleArn"], c.body["RoleSessionName"], c.body["WebIdentityToken"]) for c in exchanges} \
        == {(POD_ROLE, "node-1-agent", token.read_text())}
    pod_keys = {c.issued_key: c.at for c in exchanges}
    assert_signed_with_current_keys(wire, "pod", pod_keys)
    assumed = wire.calls_of("AssumeRole")  # the section's own role, assumed with the pod's credentials
    assert assumed and all(c.access_key in pod_keys for c in assumed)
    assert_signed_with_current_keys(wire, "central", {c.issued_key: c.at for c in assumed})


def test_eks_pod_identity_credentials_that_expire_every_5_s(aws, wire, logs, tmp_path):
    token = tmp_path / "eks-pod-identity-token"
    token.write_text("pod-identity-token-of-this-pod")
    endpoint = PodIdentityEndpoint(token.read_text(), LIFETIME_S)
    log = tmp_path / "app.log"
    log.touch()
    agent = PushAgent(aws, tmp_path / "agent", {"pod": section(log, "pod", "s")})
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token),
           # a pod has no credentials file; botocore reads one before the container endpoint
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials-file")}
    try:
        with agent:
            written = ship_while_keys_expire(agent, log, wire, env, [("pod", "s")])
    finally:
        endpoint.stop()
    assert written >= LINES and endpoint.refused == 0
    assert_delivered(logs, "pod", "s", range(written))
    assert_signed_with_current_keys(wire, "pod", {key: issued_at for key, issued_at, _ in endpoint.issued})


def assert_signed_with_current_keys(wire, group, issued):
    """Every PutLogEvents to ``group`` signed with a key of ``issued`` (key -> when it was handed
    out), handed out less than LIFETIME_S before the request; more than one key used."""
    puts = [call for call in wire.calls_of("PutLogEvents") if call.target[0] == group]
    stale = [(call.access_key, round(call.at - issued.get(call.access_key, -1e9), 1)) for call in puts
             if not 0 <= call.at - issued.get(call.access_key, -1e9) < LIFETIME_S]
    assert puts and not stale, f"{group}: requests signed with keys not current: {stale[:5]}"
    assert len({call.access_key for call in puts}) >= 2
