"""Scenario 8: state file modes, no credentials in --debug output, TLS verification, proxies."""
import select
import socket
import socketserver
import ssl
import stat
import subprocess
import threading

import pytest

from tests.harness.awscli import AwsCli
from tests.harness.pushagent import PushAgent, section, settle, stored_messages, write_lines
from tests.harness.wireproxy import WireProxy
from tests.harness.fakecreds import FAKE

GROUP = "torture"
STDIN = ("logs", "push", "--log-group-name", GROUP, "--log-stream-name", "tls")



def state_modes(folder):
    return {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir() if p.name.startswith("agent-state")}


def test_state_files_are_0600_and_debug_output_has_no_credentials(aws, wire, tmp_path, torture_report):
    log = tmp_path / "app.log"
    write_lines(log, 0, 2000, mode="w")
    with PushAgent(aws, tmp_path / "agent", {"app": section(log, GROUP, "secure")}) as agent:
        agent.start("--debug", env=FAKE)
        settle(wire, GROUP, "secure", 2000)
        modes = state_modes(agent.folder)
        assert agent.stop() == 0
        output = agent.log_text()
        after_stop = state_modes(agent.folder)
    assert set(modes) >= {"agent-state", "agent-state-wal", "agent-state-shm", "agent-state.lock"}
    assert set(after_stop) >= {"agent-state", "agent-state.lock", "agent-state.previous"}  # the clean stop's copy
    assert set(modes.values()) == set(after_stop.values()) == {"0o600"}
    assert "****" in output and len(output) > 10_000  # debug output was there, with headers masked
    leaked = [name for name, secret in FAKE.items() if secret in output]
    torture_report("8 state modes + --debug", state_files=len(modes), modes="/".join(sorted(set(modes.values()))),
                   debug_bytes=len(output), leaked=len(leaked))
    assert leaked == []


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder / "key.pem",
                    "-out", folder / "cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.fixture
def https_endpoint(moto, wire, self_signed):
    proxy = WireProxy(moto.port, self_signed)
    yield proxy
    proxy.stop()


def test_self_signed_https_is_refused_unless_no_verify_ssl(https_endpoint, tmp_path, logs, torture_report):
    aws = AwsCli(tmp_path / "home", https_endpoint.url)
    refused_push = aws.run(*STDIN, input="one\n", timeout=60)
    refused_pull = aws.run("logs", "pull", "--log-group-name", GROUP, "--log-stream-name", "tls", timeout=60)
    accepted = aws.run(*STDIN, "--no-verify-ssl", input="one\n", timeout=60)
    for refused in (refused_push, refused_pull):
        assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
    assert stored_messages(logs, GROUP, "tls") == ["one"]
    torture_report("8 self-signed HTTPS", refused_exit=refused_push.returncode, no_verify_exit=accepted.returncode)


class ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTPS forward proxy (CONNECT tunnels) that counts what goes through it."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Tunnel)
        self.tunnels = 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Tunnel(socketserver.StreamRequestHandler):
    def handle(self):
        request = self.rfile.readline().decode("latin-1").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        if len(request) < 2 or request[0] != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            return
        host, port = request[1].rsplit(":", 1)
        self.server.tunnels += 1
        with socket.create_connection((host, int(port))) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            sockets = [self.connection, upstream]
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.connection else self.connection).sendall(data)


def test_https_proxy_and_no_proxy_are_honoured(https_endpoint, tmp_path, logs, torture_report):
    aws = AwsCli(tmp_path / "home", https_endpoint.url)
    forward = ConnectProxy()
    try:
        through = aws.run(*STDIN, "--no-verify-ssl", input="via proxy\n",
                          env={"HTTPS_PROXY": forward.url, "NO_PROXY": ""}, timeout=60)
        tunnels_used = forward.tunnels
        bypassed = aws.run(*STDIN, "--no-verify-ssl", input="direct\n",
                           env={"HTTPS_PROXY": forward.url, "NO_PROXY": "127.0.0.1"}, timeout=60)
        tunnels_after_bypass = forward.tunnels
    finally:
        forward.shutdown()
        forward.server_close()
    assert through.returncode == 0, through.stderr
    assert bypassed.returncode == 0, bypassed.stderr
    torture_report("8 HTTPS_PROXY / NO_PROXY", tunnels_with_proxy=tunnels_used,
                   tunnels_with_no_proxy=tunnels_after_bypass - tunnels_used)
    assert tunnels_used >= 1 and tunnels_after_bypass == tunnels_used
    assert stored_messages(logs, GROUP, "tls") == ["via proxy", "direct"]
