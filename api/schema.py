"""The parts of the OpenAPI schema every operation shares, declared once as a
drf-spectacular postprocessing hook rather than on each view:

- the error answers: 400 with field → messages (`FieldErrors`) wherever input is
  read, `{detail}` (`ErrorDetail`) for 401 and 403 wherever a token is needed,
  404 wherever an id or a page is named, on every 409 a view declares, and 429
  everywhere (throttling);
- endpoints anyone may call (log-in, sign-up, verification, password reset)
  declare no security, so a generated client calls them without a token;
- numeric ids in paths are integers, as they are in bodies.
"""

FIELD_ERRORS = "FieldErrors"
ERROR_DETAIL = "ErrorDetail"

_COMPONENTS = {
    FIELD_ERRORS: {
        "type": "object",
        "description": "What was wrong with the request: each field named with its messages. "
        "`non_field_errors` holds messages about the request as a whole; a body that is not JSON "
        "answers `detail` alone.",
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    ERROR_DETAIL: {
        "type": "object",
        "description": "Why the request was refused.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
}

_DESCRIPTIONS = {
    "400": "The request is invalid; nothing was changed.",
    "401": "No valid token (or session) was given.",
    "403": "You may not do this.",
    "404": "No such object among those you may see, or no such page.",
    "409": "Refused: the object is in use.",
    "429": "Too many requests; `detail` says when to try again.",
}

_NUMERIC_ID = r"^\d+$"
CSV = "text/csv"


def _answer(code: str, component: str, media_type: str, description: str | None = None) -> dict:
    if media_type == CSV:  # a download answers its errors as `field,message` lines
        content = {CSV: {"schema": {"type": "string"}}}
    else:
        content = {media_type: {"schema": {"$ref": f"#/components/schemas/{component}"}}}
    return {"description": description or _DESCRIPTIONS[code], "content": content}


def _is_public(operation: dict) -> bool:
    # drf-spectacular lists `{}` (no credentials) among the alternatives of an endpoint anyone may call
    return {} in operation.get("security", [])


def _declare(operation: dict, method: str) -> None:
    parameters = operation.get("parameters", [])
    responses = operation.setdefault("responses", {})

    success_types = {
        media for code, answer in responses.items() if code.startswith("2") for media in answer.get("content", {})
    }
    media_type = CSV if success_types == {CSV} else "application/json"

    def add(code: str, component: str) -> None:
        if code not in responses:
            responses[code] = _answer(code, component, media_type)
        elif "content" not in responses[code]:  # a view declared it with a description only
            responses[code] = _answer(code, component, media_type, responses[code].get("description"))

    reads_input = method != "get" or "requestBody" in operation or any(param["in"] == "query" for param in parameters)
    if reads_input:
        add("400", FIELD_ERRORS)
    if _is_public(operation):
        operation["security"] = []
    else:
        add("401", ERROR_DETAIL)
        add("403", ERROR_DETAIL)
    if any(param["in"] == "path" or param["name"] == "page" for param in parameters):
        add("404", ERROR_DETAIL)
    if "409" in responses:
        add("409", ERROR_DETAIL)
    add("429", ERROR_DETAIL)
    for param in parameters:
        if param["in"] == "path" and param.get("schema", {}).get("pattern") == _NUMERIC_ID:
            param["schema"] = {"type": "integer", "minimum": 1}


def declare_shared_answers(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(_COMPONENTS)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            _declare(operation, method)
    return result
