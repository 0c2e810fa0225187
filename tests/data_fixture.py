"""Helpers for the data-source tests: a local server with several routes, publisher-format files
rebuilt from the course's copies, and an offline environment for subprocesses."""

from __future__ import annotations

import io
import threading
import zipfile
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from course.credit.coding import CODE_TABLE
from course.data.transforms import GERMAN_CLASS, GERMAN_COLUMNS


@contextmanager
def serve_routes(routes: dict[str, tuple[int, bytes]]):
    """Serve ``{path: (status, body)}`` on 127.0.0.1; yields (base URL, list of paths requested).
    Unknown paths get 404."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            status, body = routes.get(self.path, (404, b"not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def german_data_from_credit_g(csv_bytes: bytes) -> bytes:
    """Re-encode OpenML's credit-g CSV into UCI's german.data: Statlog codes, spaces, 1/2 class."""
    codes = {
        column: {label: code for label, (code, _) in table.items()}
        for column, table in CODE_TABLE.items()
    }
    classes = {label: code for code, label in GERMAN_CLASS.items()}
    lines = csv_bytes.decode("utf-8").splitlines()
    assert lines[0] == ",".join(f'"{c}"' for c in GERMAN_COLUMNS)
    out = []
    for line in lines[1:]:
        values = line.split(",")
        out.append(
            " ".join(
                codes[c][v] if c in codes else classes[v] if c == "class" else v
                for c, v in zip(GERMAN_COLUMNS, values, strict=True)
            )
        )
    return ("\n".join(out) + "\n").encode("ascii")


def uci_german_zip(german_data: bytes) -> bytes:
    """An archive laid out like UCI's statlog+german+credit+data.zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Index", "Index of german\n")
        archive.writestr("german.doc", "Description of the German credit dataset.\n")
        archive.writestr("german.data", german_data)
        archive.writestr("german.data-numeric", "   1   6   4  12   5   5   3   4   1  67\n")
    return buffer.getvalue()


def offline_env(base: dict[str, str], closed_url: str) -> dict[str, str]:
    """Environment in which every download from outside goes to a closed local port (as if
    offline), while 127.0.0.1 stays reachable."""
    proxy = closed_url.rsplit("/", 1)[0]
    return {
        **base,
        "HTTPS_PROXY": proxy,
        "HTTP_PROXY": proxy,
        "https_proxy": proxy,
        "http_proxy": proxy,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
