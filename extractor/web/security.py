"""Who may use the review app: a token beyond loopback, CSRF defence, trusted Host names.

- Without a token the app must be bound to loopback (the CLI refuses otherwise) and only
  answers requests addressed to a loopback name (a page on another site cannot reach it
  through DNS rebinding).
- With a token every request needs it: ``Authorization: Bearer <token>`` (scripts) or the
  session cookie the login page sets (browsers); anything else gets 401.
- A state-changing request (POST) is refused when it comes from another site (its
  ``Origin``/``Sec-Fetch-Site`` headers say so); a browser session also has to echo the
  CSRF cookie in ``X-CSRF-Token`` (the pages' script does) or, for the login form, in a
  hidden field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

SESSION_COOKIE = "extractor_session"
CSRF_COOKIE = "extractor_csrf"
CSRF_HEADER = "x-csrf-token"
LOGIN_PATH = "/login"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_NAMES or host.startswith("127.")


def session_value(token: str) -> str:
    """The cookie a login sets: derived from the token, so the token itself is never stored."""
    return hmac.new(token.encode(), b"extractor review session", hashlib.sha256).hexdigest()


def token_matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def csrf_token(request: Request) -> str:
    """The CSRF cookie's value, or a new one (set on the response by `remember_csrf`)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current:
        return current
    if not hasattr(request.state, "new_csrf"):
        request.state.new_csrf = secrets.token_urlsafe(24)
    return request.state.new_csrf


def remember_csrf(request: Request, response: Response) -> None:
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=False, samesite="strict")


def install(
    app: FastAPI,
    token: str | None,
    allowed_hosts: list[str] | None,
    login_page: Callable[[Request, str | None], Response],
) -> None:
    """Add the checks above to `app`; `login_page(request, error)` renders the login form."""

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        by_session = False
        if token is not None and request.url.path != LOGIN_PATH:
            bearer = _bearer(request)
            by_session = hmac.compare_digest(
                request.cookies.get(SESSION_COOKIE, ""), session_value(token)
            )
            if not (token_matches(bearer, token) or by_session):
                return _unauthorised(request, login_page)
        if request.method in UNSAFE_METHODS:
            refusal = _cross_site(request)
            if refusal is None and by_session:
                sent = request.headers.get(CSRF_HEADER, "")
                cookie = request.cookies.get(CSRF_COOKIE, "")
                if not cookie or not hmac.compare_digest(sent, cookie):
                    refusal = "missing or wrong X-CSRF-Token header (reload the page)"
            if refusal:
                return JSONResponse({"detail": refusal}, status_code=403)
        response = await call_next(request)
        remember_csrf(request, response)
        return response

    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value else None


def _cross_site(request: Request) -> str | None:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return "refused: a request from another site"
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if urlsplit(origin).netloc != request.headers.get("host", ""):
            return "refused: a request from another origin"
    elif origin == "null":
        return "refused: a request from an opaque origin"
    return None


def _unauthorised(
    request: Request, login_page: Callable[[Request, str | None], Response]
) -> Response:
    wants_html = "text/html" in request.headers.get("accept", "")
    if wants_html and not request.url.path.startswith("/api/"):
        response = login_page(request, None)
        response.status_code = 401
        remember_csrf(request, response)
        return response
    return JSONResponse(
        {"detail": "a token is required: send 'Authorization: Bearer <token>' or log in"},
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
