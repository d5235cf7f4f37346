"""The error responses that every operation of a kind can give, written into the OpenAPI
document in one place (an apispec plugin) rather than on each view: they come from shared
code, not from the views.

- an operation that needs a token: 401 (no valid token, from ``webapp.access``) and
  403 (the role may not do it, or may not open that case, from ``webapp.access``);
- an operation with an id in its path: 404 (nothing with that id, or not one this user may see);
- an operation with a JSON body: 400 (the body is not JSON, from ``webapp.errors``).

Schemathesis (tests/webapp/test_openapi_fuzz.py) checks that every status code that comes back
is one the document lists.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _response(description: str) -> dict[str, Any]:
    return {"description": description, "content": ERROR}


def _adds(path: str, operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
    adds: dict[int, dict[str, Any]] = {}
    if operation.get("security"):
        adds[401] = _response("No valid bearer token: get one from POST /api/token")
        adds[403] = _response("Your role may not do this, or you may not open this case")
    if "{" in path:
        adds[404] = _response("Nothing with this id, or nothing you may open")
    body = operation.get("requestBody") or {}
    if "application/json" in (body.get("content") or {}):
        adds[400] = _response("The body is not valid JSON")
    return adds


class CommonErrorResponses(BasePlugin):
    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            present = {str(code) for code in responses}
            for code, response in _adds(path or "", operation).items():
                if str(code) not in present:
                    responses[code] = response
