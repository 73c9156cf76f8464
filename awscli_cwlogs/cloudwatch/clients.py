"""The CloudWatch Logs clients the agent sends with: one per set of credentials (accounts.py),
each sending the body the batcher encoded (publisher.install_body_hook)."""
from awscli_cwlogs.cloudwatch.accounts import Clients
from awscli_cwlogs.cloudwatch.publisher import install_body_hook
from awscli_cwlogs.cli import create_logs_client


def logs_client(session, parsed_globals, streams, **where):
    client = create_logs_client(
        session, parsed_globals, where=where,
        retries={"mode": "standard", "max_attempts": 3},  # quick retries; the publisher retries on forever
        parameter_validation=False,  # batches are built to the service's rules
        max_pool_connections=max(10, streams),
    )
    install_body_hook(client)
    return client


def section_clients(session, parsed_globals, streams):
    """The Logs client of each section's credentials."""
    return Clients(session, logs_client(session, parsed_globals, streams),
                   lambda other, **where: logs_client(other, parsed_globals, streams, **where))
