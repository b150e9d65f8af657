"""Outbound URLs: https only, every resolved address public, checked again at request time, no redirects."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from abe.outbound import UnsafeUrlError, outbound_request, url_check_public


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost:5432/",
        "https://192.168.1.10/",
        "https://[::ffff:127.0.0.1]/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "not a url",
    ],
)
def test_private_and_malformed_urls_are_refused(url, monkeypatch):
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    with pytest.raises(UnsafeUrlError):
        url_check_public(url)


def test_a_public_address_passes(monkeypatch):
    monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)

    checked = url_check_public("https://93.184.215.14/hook?x=1")

    assert (checked.host, checked.port, checked.path) == ("93.184.215.14", 443, "/hook?x=1")


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_loopback_allowed_only_with_the_switch_and_redirects_not_followed(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/feed"
    try:
        monkeypatch.delenv("ABE_ALLOW_PRIVATE_URLS", raising=False)
        with pytest.raises(UnsafeUrlError):
            outbound_request("GET", url)

        monkeypatch.setenv("ABE_ALLOW_PRIVATE_URLS", "1")
        response = outbound_request("GET", url)

        assert response.status == 302
        assert response.headers["location"] == "http://127.0.0.1:1/elsewhere"
    finally:
        server.shutdown()
