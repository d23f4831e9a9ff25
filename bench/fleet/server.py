"""The fleet process: one asyncio loop serving every emulated router's eAPI port.

Each router listens on its own port of 127.0.0.1 and answers JSON-RPC 2.0
`runCmds` requests on POST /command-api, like EOS with `management api
http-commands` and `protocol http` enabled. A separate control port advances
the epoch and exposes the routers' running configurations.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import os
import resource
import signal
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

from aiohttp import web

from bench.fleet.model import DEFAULT_HOST, FaultKind, FleetSpec
from bench.fleet.router import EmulatedRouter, RunResult

# File descriptors beyond one listening socket per router: connections in flight, logs.
_SPARE_DESCRIPTORS = 1024


def raise_open_file_limit(needed: int) -> int:
    """Raise RLIMIT_NOFILE's soft limit to `needed` if the hard limit allows; returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return soft
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise RuntimeError(
            f"the fleet needs {needed} open files but the hard limit is {hard}; "
            f"raise it (ulimit -Hn) or run fewer routers"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return needed


def _authorized(header: str | None) -> bool:
    """eAPI over HTTP needs basic auth; any non-empty username and password is accepted."""
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return bool(user and password)


def _jsonrpc_error(request_id: object, code: int, message: str, data: list[object]) -> bytes:
    error = {"code": code, "message": message, "data": data}
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": error}).encode()


class FleetServer:
    def __init__(self, spec: FleetSpec) -> None:
        self.spec = spec
        self.epoch = 0
        self.requests = 0
        self.started_at = time.time()
        self.routers = [EmulatedRouter(spec, i, self.started_at) for i in range(spec.routers)]
        self._latency = spec.latency_ms / 1000.0
        self._servers: list[asyncio.AbstractServer] = []
        self._control: web.AppRunner | None = None

    async def start(self) -> None:
        raise_open_file_limit(self.spec.routers + _SPARE_DESCRIPTORS)
        loop = asyncio.get_running_loop()
        for router in self.routers:
            port = router.info.port
            if router.fault is FaultKind.REFUSED:
                continue
            if router.fault is FaultKind.TIMEOUT:
                server = await asyncio.start_server(self._hold_connection, DEFAULT_HOST, port)
            else:
                handler = web.Server(partial(self._serve_eapi, router), access_log=None)
                server = await loop.create_server(handler, DEFAULT_HOST, port, backlog=256)
            self._servers.append(server)
        await self.warm(self.epoch)  # after binding, so that a busy port fails fast
        # The control port opens last: once it answers, every router port is listening.
        self._control = web.AppRunner(self._control_app(), access_log=None)
        await self._control.setup()
        await web.TCPSite(self._control, DEFAULT_HOST, self.spec.control).start()

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        if self._control is not None:
            await self._control.cleanup()

    async def warm(self, epoch: int) -> None:
        """Pre-render every router's poll responses for `epoch`, yielding to requests."""
        for number, router in enumerate(self.routers):
            if self.epoch != epoch:
                return  # a newer epoch was requested meanwhile
            router.warm(epoch)
            if number % 8 == 7:
                await asyncio.sleep(0)

    # --- eAPI ------------------------------------------------------------------------------

    async def _serve_eapi(self, router: EmulatedRouter, request: web.BaseRequest) -> web.Response:
        self.requests += 1
        if self._latency:
            await asyncio.sleep(self._latency)
        if request.method != "POST" or request.path != "/command-api":
            return web.Response(status=404, text="Not Found")
        if not _authorized(request.headers.get("Authorization")):
            return web.Response(status=401, reason="Unauthorized", text="Unable to authenticate")
        if router.fault is FaultKind.HTTP_500:
            return web.Response(status=500, text="Internal Server Error")
        body = self._answer(router, await request.read())
        return web.Response(body=body, content_type="application/json")

    def _answer(self, router: EmulatedRouter, raw: bytes) -> bytes:
        try:
            payload = json.loads(raw)
            request_id = payload.get("id")
            params = payload["params"]
            commands = list(params["cmds"])
            fmt = params.get("format") or "json"
        except (ValueError, KeyError, TypeError, AttributeError):
            return _jsonrpc_error(None, -32700, "Parse error: not a runCmds request", [])
        if payload.get("method") != "runCmds":
            return _jsonrpc_error(request_id, -32601, "Method not found", [])
        if fmt not in ("json", "text"):
            return _jsonrpc_error(request_id, -32602, f"Invalid format '{fmt}'", [])
        if router.fault is FaultKind.JSONRPC_ERROR:
            message = f"CLI command 1 of {len(commands)} 'enable' failed: internal error"
            return _jsonrpc_error(request_id, 1000, message, [{"errors": ["Internal error"]}])
        return self._encode_result(request_id, len(commands), router.run(commands, fmt, self.epoch))

    @staticmethod
    def _encode_result(request_id: object, total: int, outcome: RunResult) -> bytes:
        if outcome.failure is None:
            head = b'{"jsonrpc":"2.0","id":' + json.dumps(request_id).encode() + b',"result":['
            return head + b",".join(outcome.results) + b"]}"
        failure = outcome.failure
        message = (
            f"CLI command {outcome.failed_position} of {total} "
            f"'{outcome.failed_command}' failed: {failure.reason}"
        )
        data = [json.loads(result) for result in outcome.results]
        data.append({"errors": failure.errors})
        return _jsonrpc_error(request_id, failure.code, message, data)

    @staticmethod
    async def _hold_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A hung router: reads whatever arrives and never answers."""
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass
        writer.close()

    # --- control ---------------------------------------------------------------------------

    def _control_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/control/status", self._status)
        app.router.add_post("/control/epoch", self._advance_epoch)
        app.router.add_get("/control/routers/{index}/running-config", self._running_config)
        app.router.add_post("/control/reset-configs", self._reset_configs)
        return app

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response(self.status())

    def status(self) -> dict[str, object]:
        faults = Counter(str(kind) for kind in self.spec.faults.values())
        return {
            "epoch": self.epoch,
            "routers": self.spec.routers,
            "sessions": self.spec.sessions,
            "seed": self.spec.seed,
            "base_port": self.spec.base_port,
            "latency_ms": self.spec.latency_ms,
            "faults": dict(faults),
            "requests": self.requests,
            "pid": os.getpid(),
        }

    async def _advance_epoch(self, request: web.Request) -> web.Response:
        """POST /control/epoch: next epoch, or {"epoch": n}; answers once responses are warm."""
        body = await request.json() if request.can_read_body else {}
        target = body.get("epoch", self.epoch + 1) if isinstance(body, dict) else None
        if not isinstance(target, int) or target < 0:
            return web.json_response({"error": "epoch must be a non-negative integer"}, status=400)
        self.epoch = target
        await self.warm(target)
        return web.json_response({"epoch": self.epoch})

    async def _running_config(self, request: web.Request) -> web.Response:
        index = int(request.match_info["index"])
        if not 0 <= index < len(self.routers):
            return web.Response(status=404, text=f"no router {index}")
        return web.Response(text=self.routers[index].running_config())

    async def _reset_configs(self, request: web.Request) -> web.Response:
        for router in self.routers:
            router.reset_config()
        return web.json_response({"reset": len(self.routers)})


async def serve(spec: FleetSpec, on_ready: Callable[[FleetServer], None]) -> None:
    """Run the fleet until SIGINT or SIGTERM."""
    server = FleetServer(spec)
    await server.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    on_ready(server)
    await stopping.wait()
    await server.stop()
