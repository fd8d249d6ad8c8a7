"""Console sessions: an API token exchanged, once, for a cookie.

The cookie holds the token and a CSRF secret, encrypted and authenticated (Fernet:
AES-CBC + HMAC-SHA256, with its issue time) under a key of the console's own. It is HttpOnly
(no script reads it), SameSite=Strict (no other site's page or form sends it) and expires
after ``OVERSIGHT_CONSOLE_SESSION_HOURS`` (default 8). Every request authenticates the token
again, so a revoked principal is signed out at its next click.

Forms that change anything (sign-in, sign-out) carry a CSRF token: the session's secret once
signed in, and before that a random value that must match a short-lived pre-session cookie
(double submit). A POST whose Origin names another host is refused as well.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from dataclasses import dataclass

import orjson
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request, Response

SESSION_COOKIE = "oversight_console"
CSRF_COOKIE = "oversight_console_csrf"
COOKIE_PATH = "/console"


class SignInRequiredError(Exception):
    """No session, an expired or forged one, or a token that no longer authenticates."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfError(Exception):
    """A form without the token this session (or this sign-in page) handed out."""


@dataclass(frozen=True)
class Session:
    token: str
    csrf: str


def _derive(material: bytes) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"oversight console session v1").derive(material)
    return base64.urlsafe_b64encode(key)


class Sessions:
    """Seals and opens session cookies.

    The key comes from ``OVERSIGHT_CONSOLE_SECRET`` when set; otherwise it is derived (HKDF)
    from the checkpoint signing key, so every process that serves the same store accepts the
    same cookies and a restart does not sign anyone out, without a second secret to manage.
    """

    def __init__(self, signing_key: Ed25519PrivateKey, hours: float | None = None) -> None:
        secret = os.environ.get("OVERSIGHT_CONSOLE_SECRET")
        if secret:
            material = secret.encode()
        else:
            material = signing_key.private_bytes(
                serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
            )
        self._fernet = Fernet(_derive(material))
        self.ttl = int(
            3600 * (hours if hours is not None else float(os.environ.get("OVERSIGHT_CONSOLE_SESSION_HOURS", "8")))
        )

    # -------------------------------------------------------------- the session cookie
    def seal(self, token: str) -> tuple[str, Session]:
        session = Session(token=token, csrf=secrets.token_urlsafe(24))
        value = self._fernet.encrypt(orjson.dumps({"t": session.token, "c": session.csrf})).decode()
        return value, session

    def open(self, request: Request) -> Session:
        value = request.cookies.get(SESSION_COOKIE)
        if not value:
            raise SignInRequiredError()
        try:
            data = orjson.loads(self._fernet.decrypt(value.encode(), ttl=self.ttl))
            return Session(token=str(data["t"]), csrf=str(data["c"]))
        except (InvalidToken, orjson.JSONDecodeError, KeyError, TypeError):
            raise SignInRequiredError("会话已过期，请重新登录") from None

    def set_cookie(self, request: Request, response: Response, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=self.ttl,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )
        response.delete_cookie(CSRF_COOKIE, path=COOKIE_PATH)

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")

    # -------------------------------------------------------------- CSRF
    @staticmethod
    def sign_in_csrf(request: Request) -> str:
        """The sign-in form's token: the pre-session cookie's value, or a new one."""
        return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)

    @staticmethod
    def remember_sign_in_csrf(request: Request, response: Response, value: str) -> None:
        response.set_cookie(
            CSRF_COOKIE,
            value,
            max_age=1800,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
        )

    @staticmethod
    def check_sign_in_csrf(request: Request, submitted: str) -> None:
        check_origin(request)
        expected = request.cookies.get(CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected, submitted):
            raise CsrfError("登录表单已失效，请刷新后重试")

    @staticmethod
    def check_csrf(request: Request, session: Session, submitted: str) -> None:
        check_origin(request)
        if not hmac.compare_digest(session.csrf, submitted):
            raise CsrfError("表单已失效，请刷新后重试")


def check_origin(request: Request) -> None:
    """A browser names the page a POST comes from: it must be this host."""
    origin = request.headers.get("origin")
    if origin is None:  # not every browser sends it on a same-origin POST: the CSRF token decides
        return
    host = request.headers.get("host", "")
    if origin.split("://", 1)[-1] != host:
        raise CsrfError("表单来自其他站点")


def _secure(request: Request) -> bool:
    """Secure cookies over HTTPS (or when told so behind a TLS-terminating proxy)."""
    return request.url.scheme == "https" or os.environ.get("OVERSIGHT_CONSOLE_SECURE_COOKIE") == "1"


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a console page of this site only (no open redirect)."""
    if value and value.startswith(COOKIE_PATH + "/") and "//" not in value and "\\" not in value:
        return value
    return COOKIE_PATH + "/"
