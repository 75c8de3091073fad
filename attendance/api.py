"""API of the attendance app: register viewsets on core.api.router."""

from core.api import router  # noqa: F401
