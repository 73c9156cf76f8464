"""What the plugin's commands share: one-line errors, exit codes, the Logs client, stdout."""
import json
import os
import sys

from awscli.customizations.commands import BasicCommand
from awscli.customizations.utils import create_client_from_parsed_globals
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, SSLError

from awscli_cwlogs.redact import redact_all_handlers

USAGE_EXIT = 252  # the AWS CLI's own code for bad arguments
SERVICE_EXIT = 255
INTERRUPTED_EXIT = 130

DEFAULT_MAX_ATTEMPTS = 10


class CommandError(Exception):
    """A failure reported as one line on stderr, without a traceback."""

    exit_code = SERVICE_EXIT


class UsageError(CommandError):
    exit_code = USAGE_EXIT


class LogsCommand(BasicCommand):
    """Runs ``run()`` and turns every expected failure into one line and an exit code."""

    exit_on_interrupt = INTERRUPTED_EXIT

    redactor = None

    def _run_main(self, parsed_args, parsed_globals):
        if getattr(parsed_globals, "debug", False):
            self.redactor = redact_all_handlers(self._session)
        try:
            return self.run(parsed_args, parsed_globals) or 0
        except CommandError as error:
            return self._fail(str(error), error.exit_code)
        except ClientError as error:
            missing = self.missing_resource(parsed_args)
            if missing and error_code(error) == "ResourceNotFoundException":
                return self._fail(f"{missing} not found ({describe_client_error(error)})", SERVICE_EXIT)
            return self._fail(describe_client_error(error), SERVICE_EXIT)
        except BotoCoreError as error:
            return self._fail(str(error), SERVICE_EXIT)
        except KeyboardInterrupt:
            return self.exit_on_interrupt
        except BrokenPipeError:
            silence_stdout()
            return 0

    def run(self, parsed_args, parsed_globals):
        raise NotImplementedError

    def missing_resource(self, parsed_args):
        """What to name when the service answers ResourceNotFoundException."""
        return None

    def _fail(self, message, exit_code):
        sys.stderr.write(f"aws logs {self.NAME}: {message}\n")
        return exit_code


def describe_client_error(error):
    code = error.response.get("Error", {}).get("Code", "Error")
    message = error.response.get("Error", {}).get("Message", "")
    return f"{code}: {message}" if message else code


def describe_error(error):
    """describe_client_error of a ClientError, else the error's text."""
    return describe_client_error(error) if isinstance(error, ClientError) else str(error)


def error_code(error):
    return error.response.get("Error", {}).get("Code")


def create_logs_client(session, parsed_globals, retries=None, where=None, **config):
    """A Logs client that honours --region/--endpoint-url/--no-verify-ssl (``where`` overrides
    region_name or endpoint_url) and retries throttling, 5xx and connection errors with botocore's
    backoff."""
    retries = retries or retry_settings(session)
    if retries:
        config["retries"] = retries
    overrides = {**({"config": Config(**config)} if config else {}), **(where or {})}
    client = create_client_from_parsed_globals(session, "logs", parsed_globals, overrides)
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register_first(f"needs-retry.{service}", _fail_fast_on_certificate_errors)
    return client


def parse_json_quickly(client, *operations):
    """The answers of ``operations`` taken as the JSON they are (json.loads, in C), instead of
    botocore walking its shape model over every event: the shapes of these answers hold only
    strings, numbers, lists and objects, so the result is the same, at a fraction of the CPU.
    Errors are parsed by botocore as before."""
    def take_json(response_dict, customized_response_dict, **kwargs):
        if response_dict.get("status_code") == 200 and response_dict.get("body"):
            customized_response_dict.update(json.loads(response_dict["body"]))
            response_dict["body"] = b"{}"
    service = client.meta.service_model.service_id.hyphenize()
    for operation in operations:
        client.meta.events.register(f"before-parse.{service}.{operation}", take_json)
    return client


def _fail_fast_on_certificate_errors(caught_exception=None, **kwargs):
    """botocore retries an SSL failure like a dropped connection (a minute, for pull); a
    certificate that does not verify will not verify on the next try either."""
    if isinstance(caught_exception, SSLError):
        raise caught_exception


def retry_settings(session):
    """botocore's standard retry mode, unless the user configured retries themselves."""
    profile = session.get_scoped_config()
    if any(
        os.environ.get(env) or profile.get(key)
        for env, key in (("AWS_RETRY_MODE", "retry_mode"), ("AWS_MAX_ATTEMPTS", "max_attempts"))
    ):
        return None
    return {"mode": "standard", "max_attempts": DEFAULT_MAX_ATTEMPTS}


def silence_stdout():
    """After the reader of stdout went away (``| head``), keep the interpreter's final
    flush from printing a BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
