"""Security headers on every answer: a Content Security Policy that allows only this site's own
scripts (no inline script anywhere), no framing, no sniffing, and no caching of pages that may
hold personal data. Strict-Transport-Security is sent in production only (demo mode runs on
plain http on a laptop)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response


def _policy(style_src: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style_src}",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# Images and fonts come as data: URIs from the bpmn-js bundle. Scripts never run inline.
CONTENT_SECURITY_POLICY = _policy("'self'")
# bpmn-js (the modeller, the compare view, the heatmap) sets style="" attributes as it draws,
# which Chromium refuses without 'unsafe-inline' for styles; only those pages get it.
DIAGRAM_POLICY = _policy("'self' 'unsafe-inline'")
DIAGRAM_PAGES = frozenset(
    {"modeller.edit", "modeller.compare", "modeller.migrate_preview", "dashboards.heatmap_page"}
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# What may be cached when fetched with GET: static files and public pages that show nothing of
# anyone's (the report form sent back with its errors, by POST, holds what was typed: not cached).
CACHEABLE_ENDPOINTS = frozenset({"static", "public.report", "api-docs.openapi_json", "health.healthz"})


def add_headers(response: Response) -> Response:
    diagram = request.endpoint in DIAGRAM_PAGES
    policy = DIAGRAM_POLICY if diagram else CONTENT_SECURITY_POLICY
    if current_app.config.get("OIDC_ISSUER"):
        # Signing out (a form) goes on to the single sign-on provider's end-session address.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(current_app.config["OIDC_ISSUER"]))
        policy = policy.replace("form-action 'self'", f"form-action 'self' {origin}")
    response.headers.setdefault("Content-Security-Policy", policy)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("HATECASES_ENV") == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.method != "GET" or request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    if app.config.get("HATECASES_ENV") == "production":
        # However production mode was set (environment or a test's settings), cookies go over
        # https only.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.after_request(add_headers)
