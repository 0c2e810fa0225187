"""A tiny HTTP server on 127.0.0.1 for download tests: serves bytes, or misbehaves on purpose."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serve(body: bytes, *, truncate_at: int | None = None):
    """Serve ``body`` at ``http://127.0.0.1:PORT/file``; with ``truncate_at`` the server announces
    the full length but closes the connection after that many bytes (an interrupted download)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body if truncate_at is None else body[:truncate_at])
            self.wfile.flush()
            if truncate_at is not None:
                self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/file"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused, like being offline)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/file"
