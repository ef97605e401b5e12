"""A local stand-in for the chat apps' webhook servers: it records every request, checks the DingTalk and
Feishu signatures the way the apps do, and answers what the test scripts (e.g. a 500, then a 200)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []  # answers to give, in order; then {"errcode":0}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode())
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                server.requests.append({"path": parts.path, "query": query, "json": body,
                                        "signature_ok": server.signature_ok(parts.path, query, body)})
                if server.script:
                    status, answer = server.script.pop(0)
                elif server.requests[-1]["signature_ok"] is False:
                    status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
                else:
                    status, answer = 200, ({"code": 0, "msg": "success"} if parts.path.startswith("/open-apis")
                                           else {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def signature_ok(self, path: str, query: dict, body: dict) -> bool | None:
        """DingTalk: sign in the query over "{ms}\\n{secret}" keyed by the secret, within an hour.
        Feishu: sign in the body, HMAC keyed by "{s}\\n{secret}" over nothing."""
        if not self.secret:
            return None
        if path.startswith("/robot/send"):
            ts = query.get("timestamp", "0")
            want = base64.b64encode(hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(),
                                             hashlib.sha256).digest()).decode()
            return query.get("sign") == want and abs(time.time() * 1000 - int(ts)) < 3600_000
        if path.startswith("/open-apis"):
            ts = body.get("timestamp", "0")
            want = base64.b64encode(hmac.new(f"{ts}\n{self.secret}".encode(), b"", hashlib.sha256).digest()).decode()
            return body.get("sign") == want and abs(time.time() - int(ts)) < 3600
        return None

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
