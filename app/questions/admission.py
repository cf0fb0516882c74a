"""Admission control: at most `limit` questions answered at once; past it, 503 at once instead of a queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import TypeVar

from app.errors import Overloaded

T = TypeVar("T")


class Admission:
    """A counting guard: `with admission:` takes a place or raises Overloaded; leaving gives it back.

    A plain object rather than an ASGI middleware: it costs no extra await per request, and a streamed
    answer keeps its place until the last event (`around`), which a Litestar route guard cannot do.
    """

    __slots__ = ("inflight", "limit")

    def __init__(self, *, limit: int) -> None:
        self.limit = limit
        self.inflight = 0

    def __enter__(self) -> None:
        if self.inflight >= self.limit:
            raise Overloaded(f"{self.limit} questions are already being answered", retry_after=1)
        self.inflight += 1

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.inflight -= 1

    async def around(self, items: AsyncIterator[T]) -> AsyncIterator[T]:
        """Yield `items` while holding a place (taken at the first item, given back when the stream ends)."""
        with self:
            async for item in items:
                yield item
