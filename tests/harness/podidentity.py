"""EKS Pod Identity's credentials endpoint, as a pod sees it: GET with the token of
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE in its Authorization header (401 without it), answered
with temporary credentials that expire ``lifetime_s`` after they are handed out. ``issued``:
(access key id, when handed out, when it expires), for the tests to check what signed each request."""
import http.server
import json
import threading
import time
import uuid

from tests.harness.motoserver import free_port


class PodIdentityEndpoint:
    def __init__(self, token, lifetime_s=5.0):
        self.token, self.lifetime_s = token, lifetime_s
        self.issued, self.refused = [], 0
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1/credentials"
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.headers.get("Authorization") != endpoint.token:
                    endpoint.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.dumps(endpoint.hand_out()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def hand_out(self):
        key = "ASIAPOD" + uuid.uuid4().hex[:13].upper()
        now = time.monotonic()
        self.issued.append((key, now, now + self.lifetime_s))
        expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + self.lifetime_s))
        return {"AccessKeyId": key, "SecretAccessKey": uuid.uuid4().hex * 2, "Token": "pod-" + uuid.uuid4().hex,
                "Expiration": expiry, "AccountId": "123456789012"}

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
