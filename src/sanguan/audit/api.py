"""``/api/audit/``: the log shaped like Certificate Transparency's API (hashes base64).

Heads and proofs are public; entries need ``audit.read_entries``. Parameters are parsed here
so that every bad one, a non-number included, answers 400 ``{"code", "message", "extra"}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sanguan.api import AUTH

from . import selectors
from .errors import AuditError, AuditErrorCode

router = Router(tags=["audit"])


class SignedTreeHead(Schema):
    tree_size: int
    timestamp: int
    sha256_root_hash: str
    tree_head_signature: str
    public_key: str


class InclusionProof(Schema):
    leaf_index: int
    audit_path: list[str]


class ConsistencyProof(Schema):
    consistency: list[str]


class Entry(Schema):
    leaf_index: int
    leaf_input: str


class Entries(Schema):
    entries: list[Entry]


class Error(Schema):
    code: str
    message: str
    extra: dict[str, Any]


def _int(name: str, value: str | None) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AuditError(
            AuditErrorCode.BAD_PARAMETER,
            _("The parameter {name} must be an integer.").format(name=name),
            {"parameter": name, "value": value},
        ) from None


def _documented(**params: str) -> dict[str, Any]:
    """Query parameters for the OpenAPI document: required integers. They are read from
    ``request.GET`` and parsed here rather than by the framework, so a bad one answers 400
    in the project's error shape."""
    return {
        "parameters": [
            {"in": "query", "name": name, "required": True, "description": text, "schema": {"type": "integer"}}
            for name, text in params.items()
        ]
    }


@router.get("/sth", response=SignedTreeHead, auth=None, summary="Current signed tree head")
def sth(request: HttpRequest):
    return selectors.signed_tree_head()


@router.get(
    "/proof/inclusion",
    response={200: InclusionProof, 400: Error},
    auth=None,
    summary="Inclusion proof (RFC 9162 2.1.3)",
    openapi_extra=_documented(leaf_index="0 <= leaf_index < tree_size", tree_size="a tree size up to the current one"),
)
def proof_inclusion(request: HttpRequest):
    q = request.GET
    return selectors.inclusion_proof(
        leaf_index=_int("leaf_index", q.get("leaf_index")), tree_size=_int("tree_size", q.get("tree_size"))
    )


@router.get(
    "/proof/consistency",
    response={200: ConsistencyProof, 400: Error},
    auth=None,
    summary="Consistency proof (RFC 9162 2.1.4)",
    openapi_extra=_documented(first="the older tree size", second="the newer tree size, first <= second"),
)
def proof_consistency(request: HttpRequest):
    q = request.GET
    return selectors.consistency_proof(first=_int("first", q.get("first")), second=_int("second", q.get("second")))


@router.get(
    "/entries",
    response={200: Entries, 400: Error, 401: Error, 403: Error},
    auth=AUTH,
    summary="Leaves start..end inclusive (regulators and system administrators)",
    openapi_extra=_documented(start="the first leaf index", end="the last leaf index (inclusive); 1,000 at most"),
)
def entries(request: HttpRequest):
    q = request.GET
    return selectors.entries_visible_to(
        user=request.user, start=_int("start", q.get("start")), end=_int("end", q.get("end"))
    )
