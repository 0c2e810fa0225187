"""Serve only the account that started the service, on a machine shared by several learners.

On a class hub every learner's lesson-04 service listens on 127.0.0.1, which any account on the
machine can reach: another learner's code could call it, read its usage or use its keys. Linux
says which account owns each TCP socket (the ``uid`` column of ``/proc/net/tcp`` and
``/proc/net/tcp6``, as identd reads it). The service looks up the account at the other end of
each connection and refuses any other than its own:

- when the connection is made, before any byte of a request is read
  (:class:`course.service.protocol.GuardedProtocol`, which ``course serve`` runs);
- and again for each request (:class:`SameAccountOnly`), for an app run by plain uvicorn.

The client's socket is found by the connection's full 4-tuple: its own address and port, and
the service's address and port. Ports alone are not enough: another account that binds its
client socket to the service's own port number on another loopback address (``127.0.0.5:P``
connecting to ``127.0.0.1:P``) would make the service's own accepted socket (local port P,
remote port P) match, and pass as the service's owner.

It is on when ``COURSE_SERVICE_SAME_ACCOUNT=1`` (the class hub sets it for every learner's
server). Where the owner cannot be read (not Linux), it refuses: the check fails closed.
"""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path

from starlette.responses import JSONResponse

SAME_ACCOUNT_ENV = "COURSE_SERVICE_SAME_ACCOUNT"
TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
#: The ``st`` column of a connection in use (a closed one, TIME_WAIT, is listed as uid 0).
ESTABLISHED = "01"
REFUSAL = "This service answers only the account that started it (a class hub shares one machine)."


def required() -> bool:
    return os.environ.get(SAME_ACCOUNT_ENV) == "1"


def table_address(host: str, port: int) -> str:
    """An address as ``/proc/net/tcp{,6}`` writes it: the address's 32-bit words in the host's
    byte order, in hex, a colon, the port in hex (``127.0.0.1:8000`` -> ``0100007F:1F40``)."""
    if ":" in host:
        words = struct.unpack("=4I", socket.inet_pton(socket.AF_INET6, host.split("%")[0]))
    else:
        words = struct.unpack("=I", socket.inet_aton(host))
    return "".join(f"{word:08X}" for word in words) + f":{port:04X}"


def socket_owner(client: tuple, server: tuple, tables=TABLES) -> int | None:
    """The uid owning the client's end of the connection ``client`` -> ``server`` (each a
    ``(host, port, ...)`` address as sockets give them), or None if it is not found.

    The client's socket is the established one whose local address is ``client`` and whose
    remote address is ``server``: all four, addresses and ports (module docs)."""
    try:
        local, remote = table_address(*client[:2]), table_address(*server[:2])
    except (OSError, ValueError, TypeError, struct.error):
        return None
    for table in tables:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if (
                len(fields) >= 8
                and fields[3] == ESTABLISHED
                and fields[1].upper() == local
                and fields[2].upper() == remote
            ):
                return int(fields[7])
    return None


def same_account(client, server, uid: int | None = None) -> bool:
    """Whether the connection ``client`` -> ``server`` comes from account ``uid`` (this
    process's by default); False when either address or the owner is unknown (fails closed)."""
    if not client or not server:
        return False
    return socket_owner(client, server) == (os.getuid() if uid is None else uid)


class SameAccountOnly:
    """ASGI middleware: 403 for a request from another account (module docs). Each request is
    looked up afresh: an ephemeral port closed by one account may next be another's."""

    def __init__(self, app, uid: int | None = None):
        self.app = app
        self.uid = os.getuid() if uid is None else uid

    def allowed(self, scope) -> bool:
        return same_account(scope.get("client"), scope.get("server"), self.uid)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and not self.allowed(scope):
            await JSONResponse({"detail": REFUSAL}, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)
