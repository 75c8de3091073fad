"""API of the supervision app: register viewsets on core.api.router."""

from core.api import router  # noqa: F401
