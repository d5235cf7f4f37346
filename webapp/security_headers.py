"""Security headers on every answer: a Content Security Policy that allows only this site's own
scripts (no inline script anywhere), no framing, no sniffing, and no caching of pages that may
hold personal data. Strict-Transport-Security is sent in production only (demo mode runs on
plain http on a laptop)."""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

# bpmn-js and its properties panel write style="" attributes and <style> elements as they draw,
# so styles need 'unsafe-inline'; scripts never do. Images and fonts come as data: URIs from the
# bundle.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# Pages anyone may cache: static files and the public pages that show nothing of anyone's.
CACHEABLE_ENDPOINTS = frozenset({"static", "public.report", "api-docs.openapi_json", "health.healthz"})


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("HATECASES_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
