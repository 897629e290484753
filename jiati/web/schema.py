"""The API's OpenAPI schema says what the API answers (issue 19: a bounded schemathesis run checks the promise,
`web/tests/test_api_schema_fuzz.py`).

drf-spectacular guesses two things from a view's shape that our views do not follow, so they are settled here
once for every app rather than per endpoint:

- Pagination: only `list` pages its rows. Other actions answer a bare array unless the viewset names them in
  `paginated_actions` (they call `paginate_queryset` themselves).
- A serializer whose fields some roles do not get (a project's outside view) names them in
  `Meta.schema_optional_fields`: the schema lists them as optional, not required.
- A plain `ViewSet`'s `list` (no queryset, such as the subsidy tracker) answers what its serializer says — one
  object unless the serializer is declared `many=True`.

And every refusal, 400 to 429, answers the one error body of `web.api` (`postprocess_error_responses`).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance, is_list_serializer
from rest_framework.generics import GenericAPIView

ERROR_BODY = "ErrorBody"
_ERROR_ENTRIES = {
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {}},
    ]
}


class AutoSchema(SpectacularAutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        if not isinstance(self.view, GenericAPIView) and getattr(self.view, "action", None) == "list":
            if serializer is None:
                serializer = self.get_response_serializers()
            return is_list_serializer(force_instance(serializer))
        return super()._is_list_view(serializer)

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(getattr(serializer, "Meta", None), "schema_optional_fields", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_paginator(self):
        action = getattr(self.view, "action", None)
        if action != "list" and action not in getattr(self.view, "paginated_actions", ()):
            return None
        return super()._get_paginator()


def postprocess_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation may answer a refusal (4XX) in the one error body."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_BODY] = {
        "type": "object",
        "description": "Every refusal: messages and stable codes, keyed alike (a field name or 'detail').",
        "properties": {"errors": _ERROR_ENTRIES, "codes": _ERROR_ENTRIES},
        "required": ["errors", "codes"],
    }
    error = {
        "description": "Refused: invalid input (400), not signed in (401), not allowed (403), not found (404), "
        "and the like, in the one error body.",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_BODY}"}}},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("4XX", error)
    return result
