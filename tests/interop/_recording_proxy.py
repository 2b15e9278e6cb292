"""A loopback HTTP proxy that records every exchange, to see what a client really sent.

`RecordingProxy(upstream)` listens on 127.0.0.1 (a free port) and forwards each request to
`upstream` (the session's server, http://host:port) unchanged, Host header included, so the
WSDLs the server serves through it name the proxy's address and a client built from them
keeps talking through it. Each exchange is kept in `exchanges` whole: method, path, request
headers and body, status, response headers and body. Requests must have a Content-Length
(a chunked request is answered 411 and recorded as such, which the tests then see); the
response is read whole from the server and sent back with its own Content-Length, on a
connection that stays open as the client asks (HTTP/1.1 keep-alive).
"""

import http.client
import threading
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

UPSTREAM_TIMEOUT_S = 60
# Per-hop headers (RFC 9110 §7.6.1), never forwarded.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
               "transfer-encoding", "upgrade"}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    request_headers: dict  # lower-case names
    request_body: bytes
    status: int
    response_headers: dict  # lower-case names
    response_body: bytes  # as sent, gzip or deflate when the client accepted it

    @property
    def response_content(self) -> bytes:
        """The response body with its Content-Encoding undone."""
        coding = self.response_headers.get("content-encoding", "identity").lower()
        if coding == "identity":
            return self.response_body
        assert coding in ("gzip", "deflate"), f"unexpected Content-Encoding {coding}"
        return zlib.decompress(self.response_body, zlib.MAX_WBITS | 32)


class RecordingProxy:
    """A running proxy to `upstream`; `url` is its base URL. Use it as a context manager."""

    def __init__(self, upstream: str):
        target = urlsplit(upstream)
        self._upstream = (target.hostname, target.port)
        self._lock = threading.Lock()
        self._exchanges = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def exchanges(self) -> list:
        with self._lock:
            return list(self._exchanges)

    def posts(self) -> list:
        """The POST exchanges (the SOAP calls), in the order they completed."""
        return [e for e in self.exchanges if e.method == "POST"]

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            self._exchanges.append(exchange)

    def _forward(self, method, path, headers, body):
        connection = http.client.HTTPConnection(*self._upstream, timeout=UPSTREAM_TIMEOUT_S)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                """Quiet: the exchanges are the record."""

            def _relay(self):
                headers = [(k, v) for k, v in self.headers.items()
                           if k.lower() not in _HOP_BY_HOP]
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    status, response_headers, response_body = 411, [], b""
                    body = b""
                    self.close_connection = True
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    status, response_headers, response_body = proxy._forward(
                        self.command, self.path, headers, body)
                proxy._record(Exchange(
                    self.command, self.path, {k.lower(): v for k, v in headers}, body,
                    status, {k.lower(): v for k, v in response_headers}, response_body,
                ))
                self.send_response_only(status)
                for name, value in response_headers:
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(response_body)))
                self.end_headers()
                self.wfile.write(response_body)

            do_GET = _relay
            do_POST = _relay

        return Handler
