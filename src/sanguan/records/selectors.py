"""Every read of the learning record store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from .models import AUTHORITY_HOME_PAGE, Activity, Attachment, Document, LrsClient, Statement, StatementRelation
from .services import DocScope
from .validation import ifi_of

MAX_LIMIT = 500


def statement_by_id(*, statement_id: str, voided: bool) -> Statement | None:
    """``voided=False``: a statement that is not voided; ``True``: one that is."""
    return Statement.objects.filter(statement_id=statement_id, voided=voided).first()


@dataclass
class StatementQuery:
    agent: dict | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False


def _relation_branch(kind: str, value: str, *, direct_only: bool) -> Q | None:
    """Statements holding ``value`` in the relation table, or None when none do (the common case)."""
    rel = StatementRelation.objects.filter(kind=kind, value=value)
    if direct_only:
        rel = rel.filter(direct=True)
    if not rel.exists():
        return None
    return Q(pk__in=rel.values("statement_id"))


def _branches(q: StatementQuery) -> list[Q]:
    """The filter as a union of conjunctions, each served by one index range scan.

    An OR across columns and the relation table would defeat every index at scale, so each
    alternative (actor, object, relation, ...) becomes its own ordered, limited query and
    the pages are merged.
    """
    common = Q()
    if q.verb is not None:
        common &= Q(verb_id=q.verb)
    if q.registration is not None:
        common &= Q(registration=q.registration)
    agent_alts: list[Q] = [Q()]
    if q.agent is not None:
        ifi = ifi_of(q.agent) or ""
        account = q.agent.get("account") or {}
        # Account actors are found through (actor_home_page, actor_name, stored), others through actor_ifi.
        actor = (Q(actor_home_page=account.get("homePage"), actor_name=account.get("name")) if account
                 else Q(actor_home_page="", actor_ifi=ifi))
        agent_alts = [actor, Q(object_type__in=("Agent", "Group"), object_ifi=ifi)]
        rel = _relation_branch(StatementRelation.AGENT, ifi, direct_only=not q.related_agents)
        if rel is not None:
            agent_alts.append(rel)
        if q.related_agents and account.get("homePage") == AUTHORITY_HOME_PAGE:
            client = LrsClient.objects.filter(key=account.get("name")).values_list("pk", flat=True).first()
            if client is not None:
                agent_alts.append(Q(client_id=client))
    activity_alts: list[Q] = [Q()]
    if q.activity is not None:
        activity_alts = [Q(object_type="Activity", object_ifi=q.activity)]
        if q.related_activities:
            rel = _relation_branch(StatementRelation.ACTIVITY, q.activity, direct_only=False)
            if rel is not None:
                activity_alts.append(rel)
    return [common & a & b for a in agent_alts for b in activity_alts]


def statements_matching(
    q: StatementQuery, *, after: tuple[datetime, int] | None = None
) -> tuple[list[Statement], bool]:
    """One page of statements, not voided, in ``stored`` order, and whether more follow.

    Statements that refer to a matching statement by StatementRef match too (xAPI 1.0.3
    Communication 2.1.4), voiding statements included; two levels of references are
    followed. Those are found from the (few) StatementRef statements towards their
    targets, through a partial index, so a filter matching millions costs nothing extra.
    """
    branches = _branches(q)
    queries = [Statement.objects.filter(voided=False).filter(b) for b in branches]
    if any(branches):
        target = Q()
        for b in branches:
            target |= b
        first = Exists(Statement.objects.filter(statement_id=OuterRef("object_statement_id")).filter(target))
        second = Exists(Statement.objects.filter(statement_id=OuterRef("object_statement_id"),
                                                 object_type="StatementRef")
                        .filter(Exists(Statement.objects.filter(statement_id=OuterRef("object_statement_id"))
                                       .filter(target))))
        queries.append(Statement.objects.filter(voided=False, object_type="StatementRef").filter(first | second))
    order = ("stored", "pk") if q.ascending else ("-stored", "-pk")
    limit = q.limit if 0 < q.limit <= MAX_LIMIT else MAX_LIMIT
    pages = []
    for qs in queries:
        if q.since is not None:
            qs = qs.filter(stored__gt=q.since)
        if q.until is not None:
            qs = qs.filter(stored__lte=q.until)
        if after is not None:
            stored, pk = after
            if q.ascending:
                qs = qs.filter(Q(stored__gt=stored) | Q(stored=stored, pk__gt=pk))
            else:
                qs = qs.filter(Q(stored__lt=stored) | Q(stored=stored, pk__lt=pk))
        pages.append(qs.order_by(*order).only("pk", "stored", "full", "has_attachments")[: limit + 1])
    if len(pages) > 1 and connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL: every page in one round trip (UNION ALL of ordered, limited selects).
        fetched = list(pages[0].union(*pages[1:], all=True))
    else:
        fetched = [row for page in pages for row in page]
    found = {row.pk: row for row in fetched}
    rows = sorted(found.values(), key=lambda r: (r.stored, r.pk), reverse=not q.ascending)
    return rows[:limit], len(rows) > limit


def attachments_for(sha2s: set[str]) -> dict[str, Attachment]:
    return {a.sha2: a for a in Attachment.objects.filter(sha2__in=sha2s)}


def activity_definition(*, activity_id: str) -> dict | None:
    row = Activity.objects.filter(activity_id=activity_id).first()
    if row is None:
        return None
    return json.loads(row.definition or "{}")


def document_get(*, scope: DocScope, doc_id: str) -> Document | None:
    return scope.filter().filter(doc_id=doc_id).first()


def document_ids(*, scope: DocScope, since: datetime | None) -> list[str]:
    qs = scope.filter()
    if since is not None:
        qs = qs.filter(updated__gt=since)
    return list(qs.order_by("doc_id").values_list("doc_id", flat=True))
