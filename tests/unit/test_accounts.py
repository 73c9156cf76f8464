"""Which client a section signs with (no I/O: clients are made on first use)."""
from awscli_cwlogs.cloudwatch.accounts import Clients, Identity
from awscli_cwlogs.config.configuration import unknown_profiles
from tests.harness.sections import make_stream

ROLE = "arn:aws:iam::999999999999:role/central"


def stream(name, **keys):
    return make_stream(section=name, log_group_name="g", log_stream_name=name, defined_in="/etc/awslogs.conf", **keys)


def test_sections_with_the_same_credentials_share_one_client_made_on_first_use():
    made = []
    default = object()
    clients = Clients(None, default, lambda session, **where: made.append(where))
    app, also_app = clients.for_stream(stream("a", profile="app")), clients.for_stream(stream("b", profile="app"))
    role = clients.for_stream(stream("c", role_arn=ROLE, external_id="x1"))
    assert app is also_app and role is not app
    assert clients.for_stream(stream("d", role_arn=ROLE, external_id="x2")) is not role  # another external id
    assert clients.for_stream(stream("e")) is clients.default is default
    assert made == []  # nothing made (no credential process run) until a section sends


def test_identity_is_described_without_secrets_and_unknown_profiles_are_named():
    assert Identity.of(stream("a")).describe() == "the agent's own credentials"
    described = Identity.of(stream("a", profile="p", role_arn=ROLE, external_id="s3cr3t-id",
                                   role_session_name="web-1")).describe()
    assert described == f"role {ROLE} with an external id, assumed with profile p (session name web-1)"
    assert unknown_profiles([stream("a", profile="p"), stream("b", profile="q")], ["default", "p"]) == [
        "/etc/awslogs.conf: [b] profile: no profile 'q' in the AWS config and credentials files (there: default, p)"]
