"""The OpenAPI schema for schemathesis tests. /api/schema/ needs a signed-in caller (issue 16), and the
fuzz test loads the schema at import time, before any user exists, so the schema is generated in-process
the same way SpectacularAPIView builds it and bound to the WSGI application."""

import json


def load_schema():
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from config.wsgi import application

    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw, renderer_context={})))
    schema.app = application
    return schema
