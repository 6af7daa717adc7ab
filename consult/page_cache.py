"""Public pages kept for a few seconds and given to every visitor who is not signed in.

The consultation list and a consultation's pages are the same for every such visitor, and
they are what most people open when a consultation is announced. Each process keeps the
pages it rendered for ``PUBLIC_PAGE_CACHE_SECONDS`` (0 turns the cache off) and forgets
them all after any change made through it (signing in or out and a person's own account
settings change no public page), so a change shows at once in that process and within
those seconds in every other. Nothing is kept for anyone with a session (signed in, or
with a message waiting for them), nor a page whose rendering wrote to the session, nor
one rendered while a change was being made, nor an address with query arguments the page
does not read (each would be kept apart, and anyone could fill the cache with them).
"""

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request, session
from flask_caching import Cache
from flask_login import current_user

cache = Cache()
_GENERATION = "consult.page_cache_generation"
# Requests to these blueprints change nothing a public page shows.
_PRIVATE_BLUEPRINTS = ("auth", "account")


def init_app(app: Flask) -> None:
    in_memory(cache, app, int(app.config["PUBLIC_PAGE_CACHE_SECONDS"]), entries=500)
    app.extensions[_GENERATION] = 0
    app.after_request(_forget_after_a_change)


def in_memory(pages: Cache, app: Flask, seconds: int, entries: int) -> None:
    """Keep up to ``entries`` pages in this process for ``seconds`` (0: keep nothing)."""
    pages.init_app(
        app,
        config={
            "CACHE_TYPE": "SimpleCache" if seconds > 0 else "NullCache",
            "CACHE_DEFAULT_TIMEOUT": seconds,
            "CACHE_THRESHOLD": entries,
            "CACHE_NO_NULL_WARNING": True,
        },
    )


def for_visitors(*arguments: str) -> Callable[[Callable], Callable]:
    """Serve the view from the cache to visitors who are not signed in, when its address
    carries no query arguments but ``arguments``."""
    readable = frozenset(arguments)

    def decorate(view: Callable) -> Callable:
        return cache.cached(
            query_string=True,
            unless=lambda: _personal(readable),
            response_filter=_same_for_everyone,
        )(view)

    return decorate


def _personal(readable: frozenset[str]) -> bool:
    if request.method != "GET" or bool(session) or current_user.is_authenticated:
        return True
    if not readable.issuperset(request.args.keys()):
        return True
    g.page_cache_generation = current_app.extensions[_GENERATION]
    return False


def _same_for_everyone(result) -> bool:
    # Only a page rendered in full (not an error or redirect) that left the session alone,
    # with no change made in this process while it was being rendered.
    return (
        isinstance(result, str)
        and not session.modified
        and g.get("page_cache_generation") == current_app.extensions[_GENERATION]
    )


def _forget_after_a_change(response: Response) -> Response:
    changed = request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400
    if changed and request.blueprint not in _PRIVATE_BLUEPRINTS:
        current_app.extensions[_GENERATION] += 1
        cache.clear()
    return response
