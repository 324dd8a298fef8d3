"""A real HTTP server on loopback for tests that fetch: no mocked HTTP client anywhere.

    with LoopbackServer() as server:
        server.add("/feed.xml", body=b"<rss>...</rss>", content_type="application/rss+xml")
        server.url("/feed.xml")  # http://127.0.0.1:<port>/feed.xml

A route is either fixed content (status, headers, body; ETag answered with 304 when it matches;
without an ETag, a Last-Modified header answered with 304 to the same If-Modified-Since) or a
function taking the request handler, for slow or odd responses. `server.hits` counts
requests per path.
"""

import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    etag: str = ""
    handler: object = None  # callable(request_handler) that writes the whole response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "loopback-test"

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self._answer(send_body=True)

    def do_HEAD(self):
        self._answer(send_body=False)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(self.rfile.read(length))
        self._answer(send_body=True)

    def _answer(self, send_body):
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        route = self.server.routes.get(path)
        if route is None:
            self._send(404, "text/plain", {}, b"not found", send_body)
            return
        if route.handler is not None:
            route.handler(self)
            return
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
            if self.headers.get("If-None-Match") == route.etag:
                self._send(304, None, headers, b"", False)
                return
        elif "Last-Modified" in headers and self.headers.get("If-Modified-Since") == headers["Last-Modified"]:
            self._send(304, None, headers, b"", False)
            return
        self._send(route.status, route.content_type, headers, route.body, send_body)

    def _send(self, status, content_type, headers, body, send_body):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)) if status != 304 else "0")
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)


class LoopbackServer:
    def __init__(self, host="127.0.0.1", tls=None):
        """tls: (certificate file, key file) to serve HTTPS."""
        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.httpd.daemon_threads = True
        self.httpd.routes = {}
        self.httpd.hits = Counter()
        self.httpd.requests = []
        self.httpd.bodies = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def hits(self):
        return self.httpd.hits

    @property
    def requests(self):
        return self.httpd.requests

    def url(self, path="/", host="127.0.0.1"):
        return f"{self.scheme}://{host}:{self.port}{path}"

    def add(self, path, body=b"", **options):
        if isinstance(body, str):
            body = body.encode()
        if path.endswith((".xml", ".rss", ".atom")):
            options.setdefault("content_type", "application/xml")
        self.httpd.routes[path] = Route(body=body, **options)
        return self.url(path)

    def add_handler(self, path, handler):
        self.httpd.routes[path] = Route(handler=handler)
        return self.url(path)

    def redirect(self, path, location, status=302):
        return self.add(path, status=status, headers={"Location": location}, content_type="text/plain")


def slow_drip(chunks=200, interval=0.1, chunk=b"x"):
    """A handler that promises a body and sends it one small piece at a time."""

    def handle(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Content-Length", str(chunks * len(chunk)))
        request.end_headers()
        try:
            for _ in range(chunks):
                request.wfile.write(chunk)
                request.wfile.flush()
                time.sleep(interval)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handle


def slowly(body: bytes, seconds: float, pieces: int = 10, content_type="text/html; charset=utf-8"):
    """A handler sending a real page in `pieces` parts spread over `seconds`: the client is
    certainly in the middle of fetching it for that long."""

    def handle(request):
        request.send_response(200)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        size = -(-len(body) // pieces)
        try:
            for start in range(0, len(body), size):
                time.sleep(seconds / pieces)
                request.wfile.write(body[start : start + size])
                request.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handle


def endless_body(piece=b"a" * 65536):
    """A handler streaming a chunked body that never ends (until the client hangs up)."""

    def handle(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.send_header("Transfer-Encoding", "chunked")
        request.end_headers()
        try:
            for _ in range(100_000):
                request.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        except (BrokenPipeError, ConnectionResetError):
            pass

    return handle
