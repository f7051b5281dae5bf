"""Path routing with `{name}` segments, telling "no such path" from "wrong method"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import re

from .http import Reply, Request

type RouteHandler = Callable[[Request, dict[str, str]], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A path and method that have a handler."""

    handler: RouteHandler
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class MethodNotAllowed:
    """The path exists, the method does not."""

    allowed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    """No route has this path."""


class Router:
    """Routes in the order they were added; `{name}` matches one path segment."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], dict[str, RouteHandler]]] = []

    def add(self, method: str, pattern: str, handler: RouteHandler) -> None:
        """Register `handler` for `method` on `pattern`."""
        regex = re.compile(
            "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern)) + "$"
        )
        for existing, methods in self._routes:
            if existing.pattern == regex.pattern:
                methods[method] = handler
                return
        self._routes.append((regex, {method: handler}))

    def resolve(self, method: str, path: str) -> RouteMatch | MethodNotAllowed | NotFound:
        """Find the handler for a request."""
        for regex, methods in self._routes:
            match = regex.match(path)
            if match is None:
                continue
            handler = methods.get(method)
            if handler is None:
                return MethodNotAllowed(tuple(methods))
            return RouteMatch(handler, match.groupdict())
        return NotFound()
