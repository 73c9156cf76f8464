"""Placeholders in names ({instance_id} over IMDSv2, {hostname}) and the agent's own log."""
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.harness.pushagent import PushAgent, wait_until, write_lines

TOKEN = "imds-token-123"


class FakeImdsV2(BaseHTTPRequestHandler):
    """Answers like IMDSv2 with v1 disabled: a PUT for a token, then GETs that carry it."""

    requests = []

    def log_message(self, *args):
        pass

    def do_PUT(self):
        self.requests.append(("PUT", self.path))
        self._answer(200, TOKEN if self.path == "/latest/api/token" else "")

    def do_GET(self):
        self.requests.append(("GET", self.path))
        if self.headers.get("x-aws-ec2-metadata-token") != TOKEN:
            self._answer(401, "")
        elif self.path == "/latest/meta-data/instance-id":
            self._answer(200, "i-0123456789abcdef0")
        else:
            self._answer(404, "")

    def _answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_instance_id_comes_from_imdsv2_once(aws, wire, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeImdsV2)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeImdsV2.requests = []
    log = tmp_path / "app.log"
    write_lines(log, 0, 10, mode="w")
    sections = {name: {"file": str(log), "log_group_name": "app", "log_stream_name": f"{{instance_id}}-{name}",
                       "buffer_duration": 200} for name in ("a", "b")}
    env = {"AWS_EC2_METADATA_DISABLED": "false",
           "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}"}
    try:
        with PushAgent(aws, tmp_path / "agent", sections) as agent:
            agent.start(env=env)
            wait_until(lambda: {c.target for c in wire.calls_of("PutLogEvents") if c.status == 200} == {
                ("app", "i-0123456789abcdef0-a"), ("app", "i-0123456789abcdef0-b")}, 30, "both streams")
            assert agent.stop() == 0
    finally:
        server.shutdown()
    assert FakeImdsV2.requests == [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/instance-id")]


def test_without_instance_metadata_the_hostname_is_used_with_a_warning(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 3, mode="w")
    section = {"file": str(log), "log_group_name": "app", "log_stream_name": "{instance_id}", "buffer_duration": 200}
    with PushAgent(aws, tmp_path / "agent", {"app": section}) as agent:
        agent.start()  # the harness sets AWS_EC2_METADATA_DISABLED=true
        wait_until(lambda: wire.accepted_events("app", socket.gethostname()) == 3, 30, "3 events")
        assert agent.stop() == 0
        assert "instance ID not available" in agent.log_text()


def test_logging_config_file_is_used(aws, wire, tmp_path):
    log = tmp_path / "app.log"
    write_lines(log, 0, 3, mode="w")
    agent_log = tmp_path / "agent-own.log"
    logging_conf = tmp_path / "logging.conf"
    logging_conf.write_text(
        "[loggers]\nkeys=root,cwlogs\n[handlers]\nkeys=file\n[formatters]\nkeys=plain\n"
        "[logger_root]\nlevel=WARNING\nhandlers=\n"
        "[logger_cwlogs]\nlevel=INFO\nhandlers=file\nqualname=awscli_cwlogs\npropagate=0\n"
        f"[handler_file]\nclass=FileHandler\nformatter=plain\nargs=('{agent_log}',)\n"
        "[formatter_plain]\nformat=%(asctime)s %(levelname)s %(message)s\n"
    )
    section = {"file": str(log), "log_group_name": "app", "log_stream_name": "s", "buffer_duration": 200}
    with PushAgent(aws, tmp_path / "agent", {"app": section}, {"logging_config_file": str(logging_conf)}) as agent:
        agent.start()
        wait_until(lambda: wire.accepted_events("app", "s") == 3, 30, "3 events")
        time.sleep(0.2)
        assert agent.stop() == 0
        assert agent.log_text() == ""
    assert "created log stream app/s" in agent_log.read_text()
