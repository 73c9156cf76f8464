"""Keeps credentials out of log output. botocore's --debug logging prints request headers:
the session token (X-Amz-Security-Token) and the access key ID (in Authorization)."""
import logging
import re

MASK = "****"
_HEADER_SECRETS = re.compile(
    r"((?:X-Amz-Security-Token|x-amz-security-token)['\"]?\s*[:=]\s*b?['\"]?)[^'\",\s}]+"
    r"|(Credential=)[^/\s'\"]+"
)


class RedactSecrets(logging.Filter):
    def __init__(self, secrets=()):
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 8]

    def redact(self, text):
        text = _HEADER_SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + MASK, text)
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record):
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_all_handlers(session):
    """Adds the filter to every handler now configured (--debug's among them) and to new ones of ours."""
    credentials = None
    try:
        credentials = session.get_credentials()
    except Exception:  # no credentials is not this filter's problem to report
        pass
    secrets = []
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        secrets = [frozen.access_key, frozen.secret_key, frozen.token]
    redactor = RedactSecrets(secrets)
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            handler.addFilter(redactor)
    return redactor
