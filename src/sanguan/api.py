"""The JSON API (django-ninja): one ``NinjaAPI`` with each app's router mounted under
``/api/<app>/``. OpenAPI at ``/api/openapi.json``. Every failure answers
``{"code", "message", "extra"}``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from sanguan.core.errors import ApplicationError


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; see ``accounts.services.api_token_create``."""

    def authenticate(self, request: HttpRequest, token: str):
        from sanguan.accounts.selectors import user_for_api_token

        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]

api = NinjaAPI(
    title="Sanguan API",
    version="1",
    description="三关 — entrance, process and exit gates of online higher education.",
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, extra: dict | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "extra": extra or {}}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.extra)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "INVALID_INPUT", "The request body or parameters are invalid.", {"errors": exc.errors})


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "NOT_AUTHENTICATED", "Authentication credentials were not provided or are invalid.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "HTTP_ERROR", str(exc))


def _mount() -> None:
    """Each app that has an ``api.py`` with a ``router`` is mounted at ``/api/<label>/``."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("sanguan."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{config.label}/", router)


_mount()
