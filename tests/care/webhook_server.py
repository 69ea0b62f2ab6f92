"""A local HTTP server standing in for an SMS provider (no internet): it records every request and
answers from a script of statuses ("ok", 500, 503, 400, "slow" …)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Provider:
    def __init__(self, script=None, slow_seconds: float = 1.0):
        self.script = list(script or [])
        self.slow_seconds = slow_seconds
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with provider.lock:
                    provider.requests.append(
                        {"headers": dict(self.headers), "body": body, "json": json.loads(body)}
                    )
                    answer = provider.script.pop(0) if provider.script else "ok"
                if answer == "slow":
                    time.sleep(provider.slow_seconds)
                    answer = "ok"
                code = 200 if answer == "ok" else int(answer)
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    self.wfile.write(b'{"ok": true}' if code == 200 else b'{"error": "x"}')
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def addresses(self) -> list[str]:
        return [r["json"]["address"] for r in self.requests]
