import logging

from awscli_cwlogs.redact import RedactSecrets


def test_known_values_and_header_patterns_are_masked():
    redactor = RedactSecrets(["AKIAKNOWNVALUE123456", "short"])
    text = ("headers={'X-Amz-Security-Token': b'IQoJtokenvalue==', 'Authorization': b'AWS4-HMAC-SHA256 "
            "Credential=AKIAOTHER0000000000/20261122/us-east-1/logs/aws4_request'} key AKIAKNOWNVALUE123456 short")
    assert redactor.redact(text) == (
        "headers={'X-Amz-Security-Token': b'****', 'Authorization': b'AWS4-HMAC-SHA256 "
        "Credential=****/20261122/us-east-1/logs/aws4_request'} key **** short")


def test_filter_rewrites_the_record():
    record = logging.LogRecord("botocore", logging.DEBUG, "f", 1, "token %s", ("x-amz-security-token: abc",), None)
    assert RedactSecrets().filter(record) is True
    assert record.getMessage() == "token x-amz-security-token: ****"
