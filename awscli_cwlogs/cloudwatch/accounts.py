"""Credentials per stream section: the agent's own, a profile of its AWS config file (with all
that botocore resolves for it: source_profile, credential_process, SSO), or a role assumed
with either (role_arn, external_id, role_session_name), refreshed before it expires.

Sections with the same credentials share one Logs client. Every client goes to the agent's
own region and endpoint: only the signature differs."""
import functools
import socket
import threading
from dataclasses import dataclass

import botocore.session
from botocore.credentials import (AssumeRoleCredentialFetcher, CredentialProvider, CredentialResolver,
                                  DeferredRefreshableCredentials)
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from awscli_cwlogs.cli import describe_error


class CredentialsUnavailable(BotoCoreError):
    """A section's credentials cannot be had now (a role that cannot be assumed, a profile whose
    credential process fails): the section waits and tries again; the others go on."""

    fmt = "{reason}"


@dataclass(frozen=True)
class Identity:
    """Whom a section signs as."""

    profile: str = None
    role_arn: str = None
    external_id: str = None
    role_session_name: str = None

    @classmethod
    def of(cls, stream):
        return cls(stream.profile, stream.role_arn, stream.external_id, stream.role_session_name)

    def describe(self):
        """For --check and the log: which credentials, never a secret."""
        base = f"profile {self.profile}" if self.profile else "the agent's own credentials"
        if not self.role_arn:
            return base
        extra = " with an external id" if self.external_id else ""
        return f"role {self.role_arn}{extra}, assumed with {base} (session name {self.session_name()})"

    def session_name(self):
        return self.role_session_name or f"aws-logs-push-{socket.gethostname()}"[:64].rstrip(".-")


class Clients:
    """The Logs client of each identity, made the first time a section of it sends."""

    def __init__(self, session, default_client, make_client):
        """``make_client(botocore session, region_name, endpoint_url)`` makes a configured Logs client."""
        self._session = session
        self.default = default_client
        self._make_client = make_client
        self._clients = {Identity(): default_client}
        self._lock = threading.Lock()

    def for_stream(self, stream):
        identity = Identity.of(stream)
        with self._lock:
            if identity not in self._clients:
                self._clients[identity] = _LazyClient(functools.partial(self._create, identity))
            return self._clients[identity]

    def _create(self, identity):
        where = {"region_name": self.default.meta.region_name, "endpoint_url": self.default.meta.endpoint_url}
        base = botocore.session.Session(profile=identity.profile) if identity.profile else self._session
        if not identity.role_arn:
            return self._make_client(base, **where)
        fetcher = AssumeRoleCredentialFetcher(
            functools.partial(base.create_client, region_name=where["region_name"]), _SourceCredentials(base),
            identity.role_arn,
            extra_args={"RoleSessionName": identity.session_name(),
                        **({"ExternalId": identity.external_id} if identity.external_id else {})})

        def assume():
            try:
                return fetcher.fetch_credentials()
            except (ClientError, BotoCoreError) as error:
                raise CredentialsUnavailable(reason=f"cannot assume role {identity.role_arn}: {describe_error(error)}") \
                    from None
        signer = botocore.session.Session()
        signer.register_component("credential_provider", CredentialResolver(
            [_Given(DeferredRefreshableCredentials(assume, "assume-role"))]))
        return self._make_client(signer, **where)


class _LazyClient:
    """A client made on first use, in the publisher's thread: a profile whose credential process
    fails then holds up its own sections only, which retry."""

    def __init__(self, create):
        self._create = create
        self._client = None
        self._lock = threading.Lock()

    def __getattr__(self, name):
        with self._lock:
            if self._client is None:
                try:
                    self._client = self._create()
                except CredentialsUnavailable:
                    raise
                except BotoCoreError as error:
                    raise CredentialsUnavailable(reason=str(error)) from None
        return getattr(self._client, name)


class _SourceCredentials:
    """The credentials a role is assumed with, looked up when first needed."""

    def __init__(self, session):
        self._session = session

    def get_frozen_credentials(self):
        credentials = self._session.get_credentials()
        if credentials is None:
            raise NoCredentialsError()
        return credentials.get_frozen_credentials()


class _Given(CredentialProvider):
    METHOD = "section-role"

    def __init__(self, credentials):
        super().__init__()
        self._credentials = credentials

    def load(self):
        return self._credentials
