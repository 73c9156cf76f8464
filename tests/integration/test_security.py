"""No credential ever reaches the output, even with --debug (botocore logs request headers)."""
from tests.harness.fakecreds import FAKE


def test_debug_output_of_every_command_carries_no_credential(aws, logs):
    logs.create_stream("app", "s")
    runs = [
        aws.run("logs", "push", "--log-group-name", "app", "--log-stream-name", "s", "--debug",
                input="one line\n", env=FAKE),
        aws.run("logs", "pull", "--log-group-name", "app", "--log-stream-name", "s", "--debug", env=FAKE),
        aws.run("logs", "filter", "--log-group-name", "app", "--debug", env=FAKE),
    ]
    for result in runs:
        assert result.returncode == 0, result.stderr[-2000:]
        output = result.stdout + result.stderr
        assert "x-amz-security-token" in output.lower() and "****" in output  # headers were logged, masked
        for name, secret in FAKE.items():
            assert secret not in output, f"{name} leaked"
        assert FAKE["AWS_SESSION_TOKEN"][:16] not in output
