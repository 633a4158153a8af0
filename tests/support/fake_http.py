"""A small threaded HTTP server on a free loopback port, for the fake providers."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl

Handler = Callable[[str, str, dict, dict], tuple[int, dict]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


class FakeServer:
    """Serves `route(method, path, form, headers) -> (status, json)` over real HTTP on 127.0.0.1."""

    def __init__(self, route: Handler):
        self.route = route
        outer = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes; without this, Nagle's algorithm and
            # the client's delayed ACK add 40 ms to every keep-alive response.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                form = outer.parse_body(raw, self.headers.get("Content-Type") or "")
                status, payload = outer.route(method, self.path, form, dict(self.headers))
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = _Server(("127.0.0.1", 0), RequestHandler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def parse_body(raw: bytes, content_type: str) -> dict:
        if not raw:
            return {}
        if "json" in content_type:
            return json.loads(raw)
        if "multipart/form-data" in content_type:
            boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
            form = {}
            for part in raw.split(b"--" + boundary):
                head, _, value = part.partition(b"\r\n\r\n")
                if b'name="' in head:
                    name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
                    form[name] = value.rstrip(b"\r\n").decode()
            return form
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Recorder:
    """Thread-safe list of what a fake provider was sent, with waiting."""

    def __init__(self) -> None:
        self.items: list = []
        self.condition = threading.Condition()
        self.listener: Callable | None = None   # called with each item as it arrives (the benchmark)

    def add(self, item) -> None:
        with self.condition:
            self.items.append(item)
            self.condition.notify_all()
        if self.listener is not None:
            self.listener(item)

    def wait_for(self, predicate: Callable[[list], bool], timeout: float = 20.0) -> list:
        """Wait until predicate(items) holds; fails the test with what arrived if it never does."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while not predicate(self.items):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"provider never got what was expected; it got: {self.items!r}")
                self.condition.wait(left)
            return list(self.items)

    def snapshot(self) -> list:
        with self.condition:
            return list(self.items)


class Outage:
    """A provider down for a while: every send answered 500, or not answered in time ("hang")."""

    def __init__(self) -> None:
        self.until = 0.0
        self.mode = "500"
        self.hang_s = 0.0
        self.refused = Recorder()   # (recipient, monotonic time) of each send refused

    def begin(self, seconds: float, mode: str = "500", hang_s: float = 2.0) -> None:
        self.mode, self.hang_s = mode, hang_s
        self.until = time.monotonic() + seconds

    def refuses(self, recipient: str) -> bool:
        """True (after hanging, in "hang" mode) if the provider is down for this send."""
        if time.monotonic() >= self.until:
            return False
        self.refused.add((recipient, time.monotonic()))
        if self.mode == "hang":
            time.sleep(self.hang_s)
        return True
