"""drf-spectacular extensions: document workspace API keys as an HTTP bearer scheme."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "abe.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "Workspace API key: `Authorization: Bearer <key>`"}


ERROR_RESPONSES = {
    "400": "Invalid input: field errors as `{field: [messages]}` (or `detail`).",
    "401": "No or an invalid API key / session.",
    "403": "The key's scopes or the user's role do not allow this.",
    "404": "Not found in this workspace (another workspace's objects are never visible).",
    "409": "Conflicts with existing data (a duplicate, or a state that no longer allows it).",
    "413": "The request body is larger than the limit.",
    "429": "Rate limited; retry after the `Retry-After` header.",
}
#: Answered by the HTTP server in front of the application, in its own format (gunicorn: an HTML page), so
#: documented without a body.
SERVER_RESPONSES = {
    "414": "The URL is longer than the server accepts (gunicorn: a request line of more than 4,094 bytes).",
}


def error_responses_hook(result: dict[str, Any], generator: object, request: object, public: bool) -> dict[str, Any]:
    """Postprocessing hook: every operation documents the errors the API can answer (a shared ``Error`` schema),
    and those the HTTP server answers before the request reaches it (``SERVER_RESPONSES``, no body documented).

    Operations keep any error response they already describe (with its own schema) and gain the missing ones.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "description": "An error: `detail` for request-level errors, else one list of messages per field.",
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": True,
        },
    )
    _decimal_inputs_take_numbers(schemas)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                if code not in responses:
                    responses[code] = {"description": description, "content": error}
                elif "content" not in responses[code]:
                    responses[code]["content"] = error
            for code, description in SERVER_RESPONSES.items():
                responses.setdefault(code, {"description": description})
    return result


def _decimal_inputs_take_numbers(schemas: dict[str, Any]) -> None:
    """Decimal request fields (amounts, prices) take a JSON number as well as the decimal string they are answered
    as: DRF's ``DecimalField`` reads both, and clients send ``"amount": 5000``. drf-spectacular documents the
    string only, so a number (which the API accepts) read as schema-violating input."""
    for name, component in schemas.items():
        if not name.endswith("Request"):
            continue
        for prop, field in list(component.get("properties", {}).items()):
            if field.get("type") == "string" and field.get("format") == "decimal":
                nullable = field.pop("nullable", None)
                number: dict[str, Any] = {"type": "number"}
                if "description" in field:
                    number["description"] = field["description"]
                replaced: dict[str, Any] = {"oneOf": [field, number]}
                if nullable:
                    replaced["nullable"] = True
                component["properties"][prop] = replaced
