"""What the emulator's servers and the local bot share: a server running in a daemon thread,
and `start()`/`stop()` that `with` calls."""

from __future__ import annotations

import threading
from typing import Any, Generic, Protocol, Self, TypeVar


class Startable:
    """`with x:` starts x and stops it again."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class Serving(Protocol):
    def serve_forever(self, *args: Any, **kwargs: Any) -> None: ...

    def shutdown(self) -> None: ...


S = TypeVar("S", bound=Serving)


class ServerThread(Generic[S]):
    """`server.serve_forever(**options)` in a daemon thread named `name`, until `stop()`."""

    def __init__(self, server: S, name: str, **options: Any) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs=options, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join(timeout=5)
