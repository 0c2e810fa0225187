"""Serve only the account that started the service, on a machine shared by several learners.

On a class hub every learner's lesson-04 service listens on 127.0.0.1, which any account on the
machine can reach: another learner's code could call it, read its usage or use its keys. Linux
says which account owns each TCP socket (the ``uid`` column of ``/proc/net/tcp`` and
``/proc/net/tcp6``, as identd reads it). :class:`SameAccountOnly` looks up the account at the
other end of each connection and answers 403 to any other than the service's own. The learner's
own notebook and JupyterLab's proxy (``/proxy/<port>/``) run as the learner and pass.

It is on when ``COURSE_SERVICE_SAME_ACCOUNT=1`` (the class hub sets it for every learner's
server). Where the owner cannot be read (not Linux), it refuses: the check fails closed.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.responses import JSONResponse

SAME_ACCOUNT_ENV = "COURSE_SERVICE_SAME_ACCOUNT"
TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
#: The ``st`` column of a connection in use (a closed one, TIME_WAIT, is listed as uid 0).
ESTABLISHED = "01"


def required() -> bool:
    return os.environ.get(SAME_ACCOUNT_ENV) == "1"


def socket_owner(client_port: int, server_port: int, tables=TABLES) -> int | None:
    """The uid owning the socket whose local port is ``client_port`` and whose remote port is
    ``server_port`` (the client's end of a connection to this service), or None if not found."""
    for table in tables:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 8:
                continue
            local, remote, state = fields[1], fields[2], fields[3]
            if state == ESTABLISHED and int(local.rsplit(":", 1)[1], 16) == client_port and \
                    int(remote.rsplit(":", 1)[1], 16) == server_port:  # fmt: skip
                return int(fields[7])
    return None


class SameAccountOnly:
    """ASGI middleware: 403 for a request from another account (module docs). Each request is
    looked up afresh: an ephemeral port closed by one account may next be another's."""

    def __init__(self, app, uid: int | None = None):
        self.app = app
        self.uid = os.getuid() if uid is None else uid

    def allowed(self, scope) -> bool:
        client, server = scope.get("client"), scope.get("server")
        if not client or not server:
            return False
        return socket_owner(client[1], server[1]) == self.uid

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and not self.allowed(scope):
            refused = JSONResponse({"detail": "This service answers only the account that started "
                                    "it (a class hub shares one machine)."}, status_code=403)  # fmt: skip
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)
