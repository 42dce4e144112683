"""Schemathesis hooks for scripts/schemathesis.sh (loaded through schemathesis.toml).

They work around two faults of the local emulator, `cargo lambda watch` (1.9.2), never
of the API. Both show as the emulator's own `500`: `text/plain`, a `httpstatuses.com`
problem and no `X-Request-Id` (every response of the functions carries one).

1. It cannot turn a request whose body or a header value is not UTF-8 into a Lambda event
   and answers it without calling any function. API Gateway hands such a body over as
   bytes, where `shared::http::body` answers `400`, and such a header value is ignored
   (a new `X-Request-Id`) or refused (`Idempotency-Key`, `400`): the handler test
   `requests_with_bytes_that_are_not_utf8_are_refused_and_change_nothing` proves it.
   `filter_case` does not send such requests, and `filter_failure` drops the emulator's
   `500` for any that still get through (counted as "dropped by `filter_failure`").
2. Now and then (about 1 in 60 requests whose response is above some 45 KB, e.g. a long
   quote or a full page of a list) it loses a response the function did send: its debug
   log shows the function's `POST /runtime/invocation/<id>/response` answered `200`, and
   the caller still gets the `500`. `after_call` sends such a request again, up to 3
   times, and hands the checks the new response; a function that really fails fails
   every time and is reported. Only requests that are safe to repeat are sent again
   (`GET`, and `POST /quotes`, which stores nothing): a response that large only ever
   answers one of those, and a repeated write would test the emulator, not the API.
   The retries are counted at exit.
"""

from __future__ import annotations

import atexit
import sys
import time

import requests
import schemathesis
from schemathesis.core.transport import Response

EMULATOR_500 = b"https://httpstatuses.com/500"


def _is_utf8(value: object) -> bool:
    if value is None or isinstance(value, str):
        return True
    try:
        bytes(value).decode("utf-8")  # type: ignore[call-overload]
    except (TypeError, UnicodeDecodeError):
        return False
    return True


def _not_utf8(request) -> bool:
    """Whether the request's body or one of its header values is not UTF-8."""
    if not _is_utf8(request.body):
        return True
    for value in request.headers.values():
        if isinstance(value, str):
            try:
                # requests sends `str` header values as Latin-1.
                value.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                return True
        elif not _is_utf8(value):
            return True
    return False


def _is_emulator_500(response) -> bool:
    content_type = ",".join(response.headers.get("content-type", []))
    return (
        response.status_code == 500
        and content_type.startswith("text/plain")
        and "x-request-id" not in response.headers
        and EMULATOR_500 in response.content
    )


def _safe_to_repeat(request) -> bool:
    """Whether sending `request` twice has the effect of sending it once."""
    path = request.path_url.split("?", 1)[0]
    return request.method == "GET" or (request.method == "POST" and path == "/quotes")


def _sendable(case) -> bool:
    """Whether the emulator can deliver `case`: a UTF-8 body and ASCII header values."""
    if isinstance(case.body, (bytes, bytearray)) and not _is_utf8(case.body):
        return False
    for value in (case.headers or {}).values():
        if isinstance(value, str) and not value.isascii():
            return False
    return True


@schemathesis.hook
def filter_case(ctx, case) -> bool:
    """Skip the requests the emulator cannot turn into a Lambda event."""
    return _sendable(case)


RETRIES = 3
_retried: list[str] = []


@schemathesis.hook
def after_call(ctx, case, response) -> None:
    """Send a request again when the emulator lost its response (see above)."""
    attempts = 0
    while (
        attempts < RETRIES
        and _is_emulator_500(response)
        and not _not_utf8(response.request)
        and _safe_to_repeat(response.request)
    ):
        attempts += 1
        time.sleep(0.2 * attempts)
        with requests.Session() as session:
            fresh = session.send(response.request, timeout=60, allow_redirects=False)
        again = Response.from_requests(fresh, verify=response.verify)
        for slot in Response.__slots__:
            if hasattr(again, slot):
                setattr(response, slot, getattr(again, slot))
    if attempts:
        _retried.append(f"{response.request.method} {response.request.url} ({attempts}x)")


@atexit.register
def _report() -> None:
    if _retried:
        print(
            f"schemathesis_hooks: {len(_retried)} request(s) sent again after cargo lambda "
            f"watch lost the response: {'; '.join(_retried[:10])}",
            file=sys.stderr,
        )


@schemathesis.hook
def filter_failure(ctx, failure, case, response) -> bool:
    """Keep every failure but the emulator's own answer to a non-UTF-8 request."""
    if response is None:
        return True
    return not (_is_emulator_500(response) and _not_utf8(response.request))
