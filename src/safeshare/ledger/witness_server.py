"""The witness's HTTP interface (c2sp.org/tlog-witness) on the stdlib HTTP server.

A witness is a small independent service, so it needs neither the SafeShare web stack nor its
database: `safeshare witness serve` runs this. HTTP/1.1 keep-alive, as the spec recommends.
"""

from __future__ import annotations

import logging
import re
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from safeshare.ledger.witness import MAX_BODY_BYTES, Witness, WitnessResponse

log = logging.getLogger(__name__)
_MONITOR_PATH = re.compile(r"^/([0-9a-f]{64})/checkpoint$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "safeshare-witness"
    sys_version = ""
    witness: Witness  # set on the subclass `make_server` builds

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every kept-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        if self.path != "/add-checkpoint":
            self._send(WitnessResponse(404, "not found\n"))
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(WitnessResponse(411, "Content-Length required\n"))
            return
        if not 0 <= length <= MAX_BODY_BYTES:
            self._send(WitnessResponse(413, "request too large\n"))
            return
        self._send(self.witness.add_checkpoint(self.rfile.read(length)))

    def do_GET(self) -> None:
        match = _MONITOR_PATH.match(self.path)
        if match is None:
            self._send(WitnessResponse(404, "not found\n"))
            return
        self._send(self.witness.latest(match.group(1)))

    def _send(self, response: WitnessResponse) -> None:
        body = response.body.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.command, args[1] if len(args) > 1 else "")


def make_server(witness: Witness, *, host: str, port: int) -> ThreadingHTTPServer:
    """A threaded server for `witness` (port 0 picks a free port: see `server_address`)."""
    handler = type("WitnessHandler", (_Handler,), {"witness": witness})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
