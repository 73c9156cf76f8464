"""SSM Parameter Store as a place the configuration comes from: ``ssm:/name`` is one parameter,
``ssm:/path/`` every parameter under the path (recursively, in name order), as the files of a
folder. String and SecureString (decrypted); a SecureString's text is never logged: its answers
are parsed without botocore's --debug dump of the body."""
from botocore.exceptions import BotoCoreError, ClientError

from awscli_cwlogs.cli import describe_client_error, error_code, parse_json_quickly
from awscli_cwlogs.config.documents import Document

PREFIX = "ssm:"
RESERVED = ("aws", "ssm")  # a first segment starting with these is refused by the service
THROTTLED = ("ThrottlingException", "TooManyUpdates", "RequestLimitExceeded")
MAX_RESULTS = 10  # the most GetParametersByPath gives per page


class FetchError(Exception):
    """The parameters could not be read now (unreachable, throttled, refused, missing)."""

    def __init__(self, message, throttled=False):
        super().__init__(message)
        self.throttled = throttled


def is_ssm(location):
    return bool(location) and str(location).startswith(PREFIX)


def parameter_name(location, argument, folder=False):
    """The parameter name (or path) of an ``ssm:`` argument; ValueError says what is wrong."""
    name = str(location)[len(PREFIX):]
    if not name.startswith("/") or name == "/" and not folder:
        raise ValueError(f"{argument} {location}: give a parameter name after ssm:, such as ssm:/cwlogs-agent/web/main")
    if folder and not name.endswith("/"):
        name += "/"
    if not folder and name.endswith("/"):
        raise ValueError(f"{argument} {location}: one parameter, not a path; a configuration split over the "
                         "parameters under a path goes in --additional-configs-dir")
    first = name.strip("/").split("/")[0].lower()
    if first.startswith(RESERVED):
        raise ValueError(f"{argument} {location}: names starting with /aws or /ssm are reserved by SSM; "
                         "use another prefix, such as /cwlogs-agent/")
    if " " in name:
        raise ValueError(f"{argument} {location}: a parameter name has no spaces")
    return name


class ParameterReader:
    """Reads parameters with one SSM client; every failure is a FetchError of one line."""

    def __init__(self, client):
        self._client = parse_json_quickly(client, "GetParameter", "GetParametersByPath")

    def one(self, name):
        answer = self._call(name, lambda: self._client.get_parameter(Name=name, WithDecryption=True))
        return _document(answer["Parameter"])

    def under(self, path):
        pages = self._client.get_paginator("get_parameters_by_path").paginate(
            Path=path.rstrip("/") or "/", Recursive=True, WithDecryption=True,
            PaginationConfig={"PageSize": MAX_RESULTS})
        found = self._call(path, lambda: [p for page in pages for p in page.get("Parameters", [])])
        return [_document(parameter) for parameter in sorted(found, key=lambda p: p["Name"])]

    @staticmethod
    def _call(name, request):
        try:
            return request()
        except ClientError as error:
            code = error_code(error)
            if code == "ParameterNotFound":
                raise FetchError(f"ssm:{name}: no such parameter") from None
            raise FetchError(f"ssm:{name}: {describe_client_error(error)}", code in THROTTLED) from None
        except BotoCoreError as error:
            raise FetchError(f"ssm:{name}: {error}") from None


def _document(parameter):
    name, version = parameter["Name"], parameter["Version"]
    return Document(f"ssm:{name} (version {version})", parameter.get("Value", ""), name, version,
                    parameter.get("Type") == "SecureString")
