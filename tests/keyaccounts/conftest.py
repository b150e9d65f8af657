"""A loopback HTTP server serving the feed files in ./feeds, with ETag / Last-Modified and a request log."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEEDS = Path(__file__).parent / "feeds"


class FeedServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.bodies: dict[str, bytes] = {}
        self.status: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                status = server.status.get(self.path, 200)
                body = server.bodies.get(self.path)
                if body is None:
                    file = FEEDS / self.path.lstrip("/")
                    body = file.read_bytes() if file.is_file() else None
                if body is None:
                    status, body = 404, b"not found"
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Tue, 01 Dec 2026 13:00:00 GMT")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path.lstrip('/')}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server(monkeypatch):
    monkeypatch.setenv("ABE_ALLOW_PRIVATE_URLS", "1")
    server = FeedServer()
    yield server
    server.close()
