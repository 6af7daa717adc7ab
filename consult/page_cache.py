"""Public pages kept for a few seconds and given to every visitor who is not signed in.

The consultation list and a consultation's pages are the same for every such visitor, and
they are what most people open when a consultation is announced. Each process keeps the
pages it rendered for ``PUBLIC_PAGE_CACHE_SECONDS`` (0 turns the cache off) and forgets
them all after any change made through it, so a change shows at once in that process and
within those seconds in every other. Nothing is kept for anyone with a session (signed in,
or with a message waiting for them), nor a page whose rendering wrote to the session.
"""

from collections.abc import Callable

from flask import Flask, Response, request, session
from flask_caching import Cache
from flask_login import current_user

cache = Cache()


def init_app(app: Flask) -> None:
    seconds = int(app.config["PUBLIC_PAGE_CACHE_SECONDS"])
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": "SimpleCache" if seconds > 0 else "NullCache",
            "CACHE_DEFAULT_TIMEOUT": seconds,
            "CACHE_THRESHOLD": 1000,
            "CACHE_NO_NULL_WARNING": True,
        },
    )
    app.after_request(_forget_after_a_change)


def for_visitors(view: Callable) -> Callable:
    """Serve ``view`` from the cache to visitors who are not signed in."""
    return cache.cached(query_string=True, unless=_personal, response_filter=_same_for_everyone)(
        view
    )


def _personal() -> bool:
    return request.method != "GET" or bool(session) or current_user.is_authenticated


def _same_for_everyone(result) -> bool:
    # Only a page rendered in full (not an error or redirect) that left the session alone.
    return isinstance(result, str) and not session.modified


def _forget_after_a_change(response: Response) -> Response:
    if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
        cache.clear()
    return response
