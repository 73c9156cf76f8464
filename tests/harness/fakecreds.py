"""Credentials that look real and must never be printed (the security tests grep for them)."""
FAKE = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKEKEYFORTESTS99",
    "AWS_SECRET_ACCESS_KEY": "fakeSecretForTests/DoNotLeak+0123456789abc",
    "AWS_SESSION_TOKEN": "FakeSessionTokenForTestsDoNotLeak//XYZ==",
}
