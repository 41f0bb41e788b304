"""``reglab serve``: the playground, a page and its API served by uvicorn on this machine.

FastAPI, uvicorn and torch are imported when the command runs, so ``reglab --help`` stays quick. The
server binds 127.0.0.1 unless told otherwise; any other address is announced with a warning, since
the playground has no login. A port already taken is a one-line error (exit 2).

The server answers only requests whose Host header names it: the bound address, 127.0.0.1, localhost,
::1, or a name given with ``--allow-host`` (a LAN server reached as ``raspberrypi.local``), so that a
web page elsewhere cannot reach it through a DNS name pointed at this machine (DNS rebinding).

Runs train in worker processes, up to one per core (``--workers``; :mod:`reglab.web.workers` says why
processes and not threads), each started when a run needs it.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from typing import Annotated, Optional

from reglab.cli.application import app
from reglab.cli.options import flag, option
from reglab.cli.parsing import by
from reglab.errors import OptionError
from reglab.rules import Interval

PORT = Interval(int, 1, 65535)
WORKERS = Interval(int, 0, 1024)
SERVER = "Server"
Host = Annotated[str, option("--host", SERVER, "ADDRESS", "Address to listen on; 127.0.0.1 keeps it on this machine.")]
Port = Annotated[int, option("--port", SERVER, "INT", "Port to listen on.", by(PORT))]
Open = Annotated[bool, flag("--open", SERVER, "Open the page in the default web browser.")]
Workers = Annotated[Optional[int], option("--workers", SERVER, "INT",
    "Worker processes that train the runs, one core each, started as runs need them (default: one per core of this "
    "machine; 0: the runs train in threads of the server's own process).", by(WORKERS))]  # fmt: skip
AllowHost = Annotated[Optional[list[str]], option("--allow-host", SERVER, "NAME",
    "Another host name or address that requests may name the server by (repeatable); by default only the "
    "--host address, 127.0.0.1, localhost and ::1.")]  # fmt: skip


def is_local(host: str) -> bool:
    """True for loopback addresses and 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; OptionError when the port is taken or the address unusable."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise OptionError(f"The '--port' option names a port in use on {host}. Got {port} instead; pick another with --port.") from None
        raise OptionError(f"The '--host' option must be an address of this machine. Got {host!r} instead ({exc.strerror}).") from None
    sock.listen(128)
    return sock


def served_names(host: str, allow_host: list[str]) -> list[str]:
    """The host names requests may give: ``host``, the loopback names and ``allow_host``, each checked."""
    from reglab.web.guards import LOOPBACK_NAMES, host_name, is_host_name

    for name in allow_host:
        if not is_host_name(name):
            raise OptionError(
                "The '--allow-host' option must be a host name or an IP address, without scheme or port "
                f"(such as raspberrypi.local or 192.168.1.20). Got {name!r} instead."
            )
    return list(dict.fromkeys(host_name(name) for name in (host, *LOOPBACK_NAMES, *allow_host)))


@app.command()
def serve(
    host: Host = "127.0.0.1", port: Port = "8000", open_page: Open = False, allow_host: AllowHost = None, workers: Workers = None
) -> None:
    """Start the playground: train models live in the browser and watch λ at work."""
    if workers is None:
        from reglab.runs.threads import available_cores

        processes = available_cores()
    else:
        processes = workers
    names = served_names(host, allow_host or [])
    if not is_local(host):
        sys.stderr.write(
            f"reglab: warning: serving on {host}, reachable from other machines; the playground has no login "
            f"and anyone who reaches it can start training runs. It answers requests for {', '.join(names)} only "
            "(add a name with --allow-host NAME).\n"
        )
    sock = bind(host, port)
    import uvicorn

    from reglab.web import create_app

    where = f"[{host}]" if ":" in host else host
    url = f"http://{where}:{sock.getsockname()[1]}/"
    sys.stderr.write(f"reglab: playground at {url} (Ctrl-C to stop)\n")
    if open_page:
        import webbrowser

        webbrowser.open(url)
    app = create_app(allowed_hosts=names, workers=processes)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=3))
    server.run(sockets=[sock])
