"""launcher/iot-credential-process against a local HTTPS endpoint that, like the AWS IoT
credentials provider, requires a client certificate (made here with openssl)."""
import json
import shutil
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HELPER = Path(__file__).resolve().parents[2] / "launcher" / "iot-credential-process"
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make test certificates")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def pki(tmp_path):
    """A CA, a server certificate for 127.0.0.1 and a device (client) certificate, all signed by the CA."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=test CA", cwd=tmp_path)
    for name, extra in (("server", "subjectAltName=IP:127.0.0.1"), ("device", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=tmp_path)
        (tmp_path / f"{name}.ext").write_text(extra + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=tmp_path)
    return tmp_path


@pytest.fixture
def provider(pki):
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("x-amzn-iot-thingname"), self.connection.getpeercert()))
            body = json.dumps({"credentials": {"accessKeyId": "ASIAIOTTEST", "secretAccessKey": "secret",
                                               "sessionToken": "token", "expiration": "2026-12-01T00:00:00Z"}})
            self.send_response(200 if self.path == "/role-aliases/logs-alias/credentials" else 403)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server.pem", pki / "server.key")
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(pki / "ca.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def helper(endpoint, pki, *extra):
    return subprocess.run([sys.executable, str(HELPER), "--endpoint", endpoint, "--thing-name", "host-1",
                           "--cert", str(pki / "device.pem"), "--key", str(pki / "device.key"), "--ca", str(pki / "ca.pem"),
                           *extra], capture_output=True, text=True, timeout=60)


def test_prints_credential_process_json_from_the_certificate_authenticated_endpoint(provider, pki):
    endpoint, seen = provider
    result = helper(endpoint, pki, "--role-alias", "logs-alias")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"Version": 1, "AccessKeyId": "ASIAIOTTEST", "SecretAccessKey": "secret",
                                         "SessionToken": "token", "Expiration": "2026-12-01T00:00:00Z"}
    path, thing, peer = seen[0]
    assert (path, thing) == ("/role-aliases/logs-alias/credentials", "host-1")
    assert dict(item[0] for item in peer["subject"])["commonName"] == "device"  # it presented the device certificate


def test_a_refusal_is_one_line_and_exit_1(provider, pki):
    endpoint, _ = provider
    result = helper(endpoint, pki, "--role-alias", "other-alias")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"iot-credential-process: {endpoint} answered 403 Forbidden\n"
