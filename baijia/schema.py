def only_public_api(endpoints):
    """drf-spectacular preprocessing hook: keep /api/v1/ and leave out Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# DRF's own refusals ({"detail": "…"}, in the caller's language) and its field errors, which every
# operation can answer with; documented once here rather than on each view.
ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "What is wrong with the input, by field (non_field_errors: with the whole of it).",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
COMMON_ERRORS = {
    "401": "Not signed in, or an unknown or expired token.",
    "403": "Signed in, but this operation is not for this account's role.",
}
# A class's times are wall-clock times in Luoyang without an offset, which JSON Schema's "time" format
# (RFC 3339 full-time) requires.
LOCAL_TIME = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:00:00"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _local_times(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node.update({key: value for key, value in LOCAL_TIME.items() if key not in node})
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation's 401 and 403; a 404 where the path names
    something or a page is asked for; a 400 where a body or filters are read and the view documents no
    400 of its own (field errors, or a refusal where the view answers with one); local times as such."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    error = {"$ref": "#/components/schemas/Error"}
    invalid = {"$ref": "#/components/schemas/FieldErrors"}
    if "Refusal" in schemas:
        invalid = {"anyOf": [{"$ref": "#/components/schemas/Refusal"}, invalid]}
    for path, operations in result["paths"].items():
        for operation in operations.values():
            responses = operation["responses"]
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, _json(error, description))
            query = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
            if "{" in path or "page" in query:
                responses.setdefault("404", _json(error, "Nothing of that name here, or no such page of results."))
            if "requestBody" in operation or query - {"page"}:
                responses.setdefault("400", _json(invalid, "The input is not valid."))
    _local_times(schemas)
    return result


def document_delayed_work(result, generator, request, public):
    """drf-spectacular postprocessing hook: a write's success may carry X-Tasks-Delayed (outbox.delays)."""
    from outbox.delays import HEADER

    header = {
        HEADER: {
            "description": "Present when follow-up work of this request (e-mails, notifications) waits for the "
            "task service, which is not answering: the change itself is saved, and the work is done once the "
            "service is back. The value is how many tasks wait.",
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    for operations in result["paths"].values():
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete"):
                for status, response in operation["responses"].items():
                    if status.startswith("2"):
                        response.setdefault("headers", {}).update(header)
    return result
