"""Every write of the learning record store.

Statements come from LRS clients (sending platforms), not from users: the acting party is
the authenticated ``LrsClient``, whose identity becomes the statement's ``authority``.
Writes are batched: a batch is one INSERT of its statements (with their relations and the
activity lookup in the same round trip on PostgreSQL), and concurrent small requests of one
process share a transaction (group commit, ``group_commit.py``), so the work per statement
stays a few microseconds of Python.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import RecordsErrorCode, XapiError, bad_request, invalid
from .group_commit import GroupCommit
from .models import Activity, Attachment, Document, LrsClient, Statement, StatementRelation
from .validation import SIGNATURE_USAGE, VOIDED, ifi_of, validate_statement

# -- clients ------------------------------------------------------------------------------


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewClient:
    client: LrsClient
    key: str
    secret: str


@transaction.atomic
def lrs_client_create(*, name: str, university=None) -> NewClient:
    """A new sending platform; the secret is shown once and only its digest is kept."""
    key = secrets.token_hex(16)
    secret = secrets.token_urlsafe(32)
    client = LrsClient.objects.create(name=name, key=key, secret_hash=secret_digest(secret), university=university)
    return NewClient(client=client, key=key, secret=secret)


# -- statements ---------------------------------------------------------------------------


def compact_json(value) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, by orjson (a fifth of
    the CPU of storing a batch went to the standard encoder); the standard encoder still
    writes what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def format_stored(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


_COMPARE_DROP = ("authority", "stored", "version", "id")


def _comparable(s: dict) -> dict:
    return {k: v for k, v in s.items() if k not in _COMPARE_DROP}


def same_statement(a: dict, b: dict) -> bool:
    """Two statements with one id are the same when they differ only in LRS-set properties."""
    ca, cb = _comparable(a), _comparable(b)
    if "timestamp" not in ca or "timestamp" not in cb:
        ca.pop("timestamp", None)
        cb.pop("timestamp", None)
    return json.dumps(ca, sort_keys=True) == json.dumps(cb, sort_keys=True)


def _agent_members(agent: dict) -> list[str]:
    return [i for i in (ifi_of(m) for m in agent.get("member") or [] if isinstance(m, dict)) if i]


def _relations(s: dict) -> list[tuple[str, str, bool]]:
    """(kind, value, direct) rows beyond actor/object columns."""
    rows: list[tuple[str, str, bool]] = []
    actor, obj = s["actor"], s["object"]
    rows += [(StatementRelation.AGENT, m, True) for m in _agent_members(actor)]
    if obj.get("objectType") in ("Agent", "Group"):
        rows += [(StatementRelation.AGENT, m, True) for m in _agent_members(obj)]

    def related_agent(a: dict | None) -> None:
        if not a:
            return
        ifi = ifi_of(a)
        if ifi:
            rows.append((StatementRelation.AGENT, ifi, False))
        rows.extend((StatementRelation.AGENT, m, False) for m in _agent_members(a))

    def context_parts(ctx: dict | None) -> None:
        if not ctx:
            return
        related_agent(ctx.get("instructor"))
        related_agent(ctx.get("team"))
        for acts in (ctx.get("contextActivities") or {}).values():
            for a in acts if isinstance(acts, list) else [acts]:
                rows.append((StatementRelation.ACTIVITY, a["id"], False))

    # The authority is the sending client, kept in Statement.client_id rather than as a row.
    context_parts(s.get("context"))
    if obj.get("objectType") == "SubStatement":
        related_agent(obj["actor"])
        sub_obj = obj["object"]
        if sub_obj.get("objectType", "Activity") == "Activity":
            rows.append((StatementRelation.ACTIVITY, sub_obj["id"], False))
        elif sub_obj.get("objectType") in ("Agent", "Group"):
            related_agent(sub_obj)
        context_parts(obj.get("context"))
    return list(dict.fromkeys(rows))


def _object_columns(obj: dict) -> tuple[str, str, str | None]:
    ot = obj.get("objectType", "Activity")
    if ot == "Activity":
        return "Activity", obj["id"], None
    if ot in ("Agent", "Group"):
        return ot, ifi_of(obj) or "", None
    if ot == "StatementRef":
        return ot, obj["id"].lower(), obj["id"].lower()
    return ot, "", None


def _check_signature(s: dict, att: dict, parts: dict[str, tuple[str, bytes]]) -> None:
    if att.get("contentType") != "application/octet-stream":
        raise invalid(_("a signature attachment must have contentType application/octet-stream"))
    part = parts.get(att["sha2"])
    if part is None:
        raise invalid(_("the signature attachment is missing from the request"))
    try:
        header_b64, payload_b64, sig_b64 = part[1].decode("ascii").strip().split(".")
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
        signature = _b64url(sig_b64)
    except (ValueError, UnicodeDecodeError):
        raise invalid(_("the signature is not a JWS in compact serialisation")) from None
    alg = header.get("alg") if isinstance(header, dict) else None
    if alg not in ("RS256", "RS384", "RS512"):
        raise invalid(_("the JWS algorithm must be RS256, RS384 or RS512"))
    if not isinstance(payload, dict):
        raise invalid(_("the JWS payload is not a statement"))
    mine = {k: v for k, v in s.items() if k != "attachments"}
    theirs = {k: v for k, v in payload.items() if k != "attachments"}
    if not same_statement(mine, theirs) or ("id" in theirs and str(theirs["id"]).lower() != str(s.get("id")).lower()):
        raise invalid(_("the JWS payload differs from the statement"))
    x5c = header.get("x5c")
    if x5c:
        _verify_x5c(x5c, alg, f"{header_b64}.{payload_b64}".encode("ascii"), signature)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_x5c(x5c, alg: str, signing_input: bytes, signature: bytes) -> None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(x5c[0]))
        algo = {"RS256": hashes.SHA256(), "RS384": hashes.SHA384(), "RS512": hashes.SHA512()}[alg]
        cert.public_key().verify(signature, signing_input, padding.PKCS1v15(), algo)
    except (InvalidSignature, ValueError, TypeError, IndexError):
        raise invalid(_("the JWS signature does not verify against its x5c certificate")) from None


def _with_context_activity_arrays(s: dict) -> dict:
    """Context activities are stored and returned as arrays (xAPI 1.0.3 Data 2.4.6.2)."""
    ctx = s.get("context")
    if isinstance(ctx, dict) and isinstance(ctx.get("contextActivities"), dict):
        ca = ctx["contextActivities"]
        if any(not isinstance(v, list) for v in ca.values()):
            s["context"] = {**ctx, "contextActivities": {k: v if isinstance(v, list) else [v] for k, v in ca.items()}}
    obj = s.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        s["object"] = _with_context_activity_arrays(dict(obj))
    return s


# The statement columns a write fills, in this order (``Statement`` minus its surrogate key).
STATEMENT_COLUMNS = (
    "statement_id", "stored", "university_id", "client_id", "verb_id", "actor_ifi", "actor_home_page",
    "actor_name", "object_type", "object_ifi", "object_statement_id", "registration", "voided", "is_voiding",
    "has_attachments", "full",
)
_VOIDED = STATEMENT_COLUMNS.index("voided")


@dataclass
class Prepared:
    raw: dict
    row: list  # values in STATEMENT_COLUMNS order
    relations: list[tuple[str, str, bool]]
    statement: dict
    void_target: str | None
    pk: int | None = None


def _prepare(raw: dict, client: LrsClient, stored: datetime, stored_text: str, authority: dict,
             parts: dict[str, tuple[str, bytes]]) -> Prepared:
    validate_statement(raw)
    s = _with_context_activity_arrays(dict(raw))
    sid = str(uuid.UUID(s["id"])) if "id" in s else str(uuid.uuid4())
    s["id"] = sid
    s["stored"] = stored_text
    s.setdefault("timestamp", stored_text)
    s["authority"] = authority
    s.setdefault("version", "1.0.0")
    for att in s.get("attachments") or []:
        if att["usageType"] == SIGNATURE_USAGE:
            _check_signature(raw, att, parts)
        elif "fileUrl" not in att and att["sha2"] not in parts:
            raise invalid(_("attachment {sha2} has no fileUrl and no part in the request").format(sha2=att["sha2"]))
    actor = s["actor"]
    account = actor.get("account") or {}
    obj_type, obj_ifi, ref = _object_columns(s["object"])
    ctx = s.get("context") or {}
    reg = ctx.get("registration")
    verb_id = s["verb"]["id"]
    void_target = ref if verb_id == VOIDED else None
    row = [
        sid, stored, client.university_id, client.pk, verb_id, ifi_of(actor) or "", account.get("homePage", ""),
        account.get("name", ""), obj_type, obj_ifi, ref, reg.lower() if reg else None, False,
        void_target is not None, bool(s.get("attachments")),
        compact_json(s),
    ]
    return Prepared(raw=raw, row=row, relations=_relations(s), statement=s, void_target=void_target)


# Activity id -> its canonical definition as last committed by this process: a claim that the
# stored definition holds at least this, so repeating it needs no database work. Filled only
# when the transaction that wrote or read the definition commits.
_activity_seen: dict[str, str] = {}
_LANGUAGE_MAPS = ("name", "description")


def merge_definition(old: dict, new: dict) -> dict:
    """The canonical definition after a new one arrives: language maps gain languages, the
    rest is replaced by what was sent last."""
    merged = dict(old)
    for k, v in new.items():
        if k in _LANGUAGE_MAPS and isinstance(old.get(k), dict) and isinstance(v, dict):
            merged[k] = {**old[k], **v}
        else:
            merged[k] = v
    return merged


def _dump(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, sort_keys=True)


def _sent_definitions(prepared: list[Prepared]) -> dict[str, list[dict]]:
    """Activity id -> the definitions this batch sends for it, in order."""
    sent: dict[str, list[dict]] = {}
    for p in prepared:
        objs = [p.statement["object"]]
        if p.statement["object"].get("objectType") == "SubStatement":
            objs.append(p.statement["object"]["object"])
        for ctx in (p.statement.get("context"), p.statement["object"].get("context")):
            for acts in ((ctx or {}).get("contextActivities") or {}).values():
                objs.extend(acts if isinstance(acts, list) else [acts])
        for o in objs:
            if o.get("objectType", "Activity") == "Activity" and o.get("definition"):
                sent.setdefault(o["id"], []).append(o["definition"])
    return sent


def _fold(base: dict, defs: list[dict]) -> dict:
    for d in defs:
        base = merge_definition(base, d)
    return base


def _definitions_to_merge(sent: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The activities whose definition this batch may change: not known (to this process) to
    hold already everything sent."""
    todo = {}
    for aid, defs in sent.items():
        cached = _activity_seen.get(aid)
        if cached is None or _dump(_fold(json.loads(cached), defs)) != cached:
            todo[aid] = defs
    return todo


def _upsert_activities(todo: dict[str, list[dict]], existing: dict[str, str] | None = None) -> None:
    """Fold every activity definition sent into the activity's canonical definition.

    Only definitions that add something reach a lock: a process-local cache and one plain
    SELECT (on PostgreSQL done by the statement INSERT itself, ``existing``) filter out the
    common case (an LMS repeating the same definitions), new activities are inserted with
    ON CONFLICT DO NOTHING, and only rows whose definition really changes are locked (in id
    order, so concurrent batches cannot deadlock) and merged.
    """
    if not todo:
        return
    learned: dict[str, str] = {}
    transaction.on_commit(lambda: _remember_activities(learned))
    qn = connection.ops.quote_name
    if existing is None:
        with connection.cursor() as cur:
            ids = list(todo)
            cur.execute(
                f"SELECT {qn('activity_id')}, {qn('definition')} FROM {qn(Activity._meta.db_table)} "  # noqa: S608
                f"WHERE {qn('activity_id')} IN ({', '.join(['%s'] * len(ids))})", ids)
            existing = dict(cur.fetchall())
    create, changed = [], []
    for aid in sorted(todo):
        if aid not in existing:
            create.append(Activity(activity_id=aid, definition=_dump(_fold({}, todo[aid]))))
            changed.append(aid)  # a concurrent insert may have won the race: merge into it
            continue
        merged = _dump(_fold(json.loads(existing[aid] or "{}"), todo[aid]))
        if merged == existing[aid]:
            learned[aid] = merged
        else:
            changed.append(aid)
    if create:
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {qn(Activity._meta.db_table)} ({qn('activity_id')}, {qn('definition')}) VALUES "  # noqa: S608
                + ", ".join(["(%s, %s)"] * len(create))
                + f" ON CONFLICT ({qn('activity_id')}) DO NOTHING RETURNING {qn('activity_id')}",
                [v for a in create for v in (a.activity_id, a.definition)],
            )
            won = {row[0] for row in cur.fetchall()}
        for a in create:
            if a.activity_id in won:
                learned[a.activity_id] = a.definition
        # Rows another transaction inserted first still need this definition merged in.
        changed = [aid for aid in changed if aid not in won]
    if changed:
        rows = list(Activity.objects.select_for_update().filter(activity_id__in=changed).order_by("activity_id"))
        update = []
        for row in rows:
            merged = _dump(_fold(json.loads(row.definition or "{}"), todo[row.activity_id]))
            if merged != row.definition:
                row.definition = merged
                update.append(row)
            learned[row.activity_id] = merged
        if update:
            Activity.objects.bulk_update(update, ["definition"])


def _remember_activities(learned: dict[str, str]) -> None:
    if len(_activity_seen) > 200_000:
        _activity_seen.clear()
    _activity_seen.update(learned)


def statements_store(*, client: LrsClient, statements: list, parts: dict[str, tuple[str, bytes]] | None = None,
                     put_id: str | None = None) -> list[str]:
    """Validate and store a batch of statements atomically; return their ids in order.

    A statement whose id is already stored with the same content is accepted without a
    second copy; with different content the whole batch is refused (409).
    """
    parts = parts or {}
    if not isinstance(statements, list) or not statements:
        raise invalid(_("expected a statement or a non-empty array of statements"))
    now = timezone.now()
    stored = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as precise as the "stored" text
    stored_text, authority = format_stored(stored), client.authority()
    prepared = [_prepare(raw, client, stored, stored_text, authority, parts) for raw in statements]
    if put_id is not None and prepared[0].statement["id"] != put_id:
        raise bad_request(_("the statementId parameter and the statement's id differ"))
    ids = [p.statement["id"] for p in prepared]
    if len(set(ids)) != len(ids):
        raise invalid(_("the batch holds one statement id twice"))
    referenced = {a["sha2"] for p in prepared for a in p.statement.get("attachments") or []}
    stray = set(parts) - referenced
    if stray:
        raise invalid(_("the request holds attachment parts no statement refers to"))
    if _groupable(prepared, parts):
        _grouped.submit(prepared)
    else:
        _store(prepared, parts)
    return ids


def _store(prepared: list[Prepared], parts: dict[str, tuple[str, bytes]], *, arrays: bool = False) -> None:
    """Store validated statements in one transaction (409 and nothing stored if one repeats a
    stored id with different content). ``arrays``: on PostgreSQL, use the array statement
    whatever the number of statements."""
    sent = _sent_definitions(prepared)
    with transaction.atomic():
        _apply_voiding(prepared)
        unknown = [a for a in sent if a not in _activity_seen]
        if connection.vendor == "postgresql" and (arrays or len(prepared) >= _UNNEST_FROM):
            inserted, definitions = _insert_pg(prepared, unknown)
        else:
            inserted, definitions = _insert_rows(prepared, unknown)
        dupes = [p for p in prepared if p.statement["id"] not in inserted]
        if dupes:
            existing = {str(sid): full for sid, full in Statement.objects.filter(
                statement_id__in=[p.statement["id"] for p in dupes]).values_list("statement_id", "full")}
            for p in dupes:
                if not same_statement(json.loads(existing[p.statement["id"]]), p.raw):
                    raise XapiError(RecordsErrorCode.CONFLICT,
                                    _("statement {id} is already stored with different content").format(
                                        id=p.statement["id"]), status=409)
        for sha2, (ctype, content) in parts.items():
            Attachment.objects.get_or_create(sha2=sha2, defaults={"content_type": ctype, "content": content})
        fresh = [p for p in prepared if p.statement["id"] in inserted]
        if len(fresh) < len(prepared):
            sent = _sent_definitions(fresh)  # a repeated statement does not fold its definitions twice
        todo = _definitions_to_merge(sent)
        if definitions is not None and any(a not in definitions and a in _activity_seen for a in todo):
            definitions = None  # a cached activity changes: read it again (under its lock, below)
        _upsert_activities(todo, definitions)


def _store_together(requests: list[list[Prepared]]) -> None:
    """The statements of several concurrent requests in one transaction; refused (so that
    each request is stored alone) if two of them carry the same statement id."""
    prepared = [p for batch in requests for p in batch]
    if len({p.statement["id"] for p in prepared}) != len(prepared):
        raise ValueError("two requests of the group carry the same statement id")
    _store(prepared, {}, arrays=True)  # one round trip and the COMMIT for the whole group


def _groupable(prepared: list[Prepared], parts: dict) -> bool:
    """Small requests without voiding or attachments, on PostgreSQL, outside any transaction
    of the caller's (whose commit they must not escape), are stored in groups."""
    return (len(prepared) < _UNNEST_FROM and not parts and not any(p.void_target for p in prepared)
            and connection.vendor == "postgresql" and settings.SANGUAN_LRS_GROUP_COMMIT
            and not connection.in_atomic_block)


_grouped: GroupCommit[list[Prepared]] = GroupCommit(alone=lambda prepared: _store(prepared, {}),
                                                    together=_store_together)


_INSERT_CHUNK = 500
_UNNEST_FROM = 10  # statements in a batch from which the array statement is cheaper

# PostgreSQL: one statement, one round trip per batch, whatever its size. The rows travel as
# one array per column (so the SQL text and its plan never change), the relation rows are
# inserted for the statements that really were new (ON CONFLICT skips stored ids), and the
# stored definitions of the activities the batch defines come back with the new ids.
_PG_STORE = """
WITH ins AS (
    INSERT INTO records_statement (statement_id, stored, university_id, client_id, verb_id, actor_ifi,
        actor_home_page, actor_name, object_type, object_ifi, object_statement_id, registration, voided,
        is_voiding, has_attachments, "full")
    SELECT * FROM unnest(%b::uuid[], %b::timestamptz[], %b::int8[], %b::int8[], %b::text[], %b::text[],
        %b::text[], %b::text[], %b::text[], %b::text[], %b::uuid[], %b::uuid[], %b::bool[], %b::bool[],
        %b::bool[], %b::text[])
    ON CONFLICT (statement_id) DO NOTHING
    RETURNING id, statement_id
), rel AS (
    INSERT INTO records_statementrelation (statement_id, kind, value, direct)
    SELECT ins.id, r.kind, r.value, r.direct
    FROM unnest(%b::uuid[], %b::text[], %b::text[], %b::bool[]) AS r (sid, kind, value, direct)
    JOIN ins ON ins.statement_id = r.sid
)
SELECT true, id::text, statement_id::text FROM ins
UNION ALL
SELECT false, activity_id, definition FROM records_activity WHERE activity_id = ANY(%b::text[])
"""


def _insert_pg(prepared: list[Prepared], activity_ids: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Store the batch's new statements and their relation rows; returns {statement id: pk}
    of the ones inserted and {activity id: stored definition} of ``activity_ids``."""
    columns = [list(col) for col in zip(*(p.row for p in prepared), strict=True)]
    rels = [(p.statement["id"], k, v, d) for p in prepared for (k, v, d) in p.relations]
    rel_columns = [list(col) for col in zip(*rels, strict=True)] if rels else [[], [], [], []]
    inserted: dict[str, int] = {}
    definitions: dict[str, str] = {}
    # Server-side, binary parameters (%b): Django's client-side binding, like the text array
    # format, escapes every quote of every statement's JSON in Python; binary arrays carry
    # the bytes as they are. The statement, always the same text, is prepared once per
    # connection.
    with _write_cursor() as (cur, native):
        cur.execute(_PG_STORE, [*columns, *rel_columns, activity_ids], **native)
        for is_statement, key, value in cur.fetchall():
            if is_statement:
                inserted[value] = int(key)
            else:
                definitions[key] = value
    return inserted, definitions


def _insert_rows(prepared: list[Prepared], activity_ids: list[str]) -> tuple[dict[str, int], dict[str, str] | None]:
    """Multi-row INSERT … ON CONFLICT DO NOTHING RETURNING, then the relation rows: the
    embedded SQLite, and small batches on PostgreSQL (where a plain prepared INSERT costs a
    third of the array statement, and is pipelined with the read of ``activity_ids``'
    definitions: one round trip). Returns {statement id: pk} of the new statements and, on
    PostgreSQL, {activity id: stored definition}."""
    fields = [Statement._meta.get_field(c) for c in STATEMENT_COLUMNS]
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    inserted: dict[str, int] = {}
    definitions: dict[str, str] | None = None
    with _write_cursor() as (cur, native):
        if native and not activity_ids:
            definitions = {}  # nothing to look up: no pipeline needed
        for i in range(0, len(prepared), _INSERT_CHUNK):
            chunk = prepared[i:i + _INSERT_CHUNK]
            sql = (f"INSERT INTO {qn(Statement._meta.db_table)} ({cols}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608
                   f"ON CONFLICT ({qn('statement_id')}) DO NOTHING RETURNING {qn('id')}, {qn('statement_id')}")
            if not native:
                cur.execute(sql, [f.get_db_prep_save(v, connection)
                                  for p in chunk for f, v in zip(fields, p.row, strict=True)])
                rows = cur.fetchall()
            elif definitions is None:
                with connection.connection.pipeline(), connection.connection.cursor() as lookup:
                    cur.execute(sql, [v for p in chunk for v in p.row], **native)
                    lookup.execute("SELECT activity_id, definition FROM records_activity "
                                   "WHERE activity_id = ANY(%s)", [activity_ids], **native)
                    rows, definitions = cur.fetchall(), dict(lookup.fetchall())
            else:
                cur.execute(sql, [v for p in chunk for v in p.row], **native)
                rows = cur.fetchall()
            for pk, sid in rows:
                inserted[str(uuid.UUID(str(sid)))] = pk
        rels = [(inserted[p.statement["id"]], k, v, d)
                for p in prepared if p.statement["id"] in inserted for (k, v, d) in p.relations]
        table = qn(StatementRelation._meta.db_table)
        rel_cols = ", ".join(qn(c) for c in ("statement_id", "kind", "value", "direct"))
        for i in range(0, len(rels), _INSERT_CHUNK):
            chunk = rels[i:i + _INSERT_CHUNK]
            cur.execute(f"INSERT INTO {table} ({rel_cols}) VALUES {', '.join(['(%s, %s, %s, %s)'] * len(chunk))}",  # noqa: S608
                        [v for row in chunk for v in row], **native)
    return inserted, definitions


@contextmanager
def _write_cursor():
    """(cursor, extra execute arguments): on PostgreSQL a psycopg cursor with server-side
    parameters whose statements are prepared once per connection (a write is the same few
    statements over and over); elsewhere Django's cursor."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cur:
            yield cur, {}
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cur:
        yield cur, {"prepare": True}


def _apply_voiding(fresh: list[Prepared]) -> None:
    targets = {p.void_target: p for p in fresh if p.void_target}
    if not targets:
        return
    batch = {p.statement["id"]: p for p in fresh}
    found = dict(Statement.objects.filter(statement_id__in=list(targets)).values_list("statement_id", "is_voiding"))
    found = {str(k): v for k, v in found.items()}
    for t in targets:
        if found.get(t) or (t in batch and batch[t].void_target):
            raise invalid(_("a voiding statement cannot void another voiding statement"))
    Statement.objects.filter(statement_id__in=[t for t in targets if t in found]).update(voided=True)
    for t in targets:
        if t in batch:
            batch[t].row[_VOIDED] = True


# -- documents ----------------------------------------------------------------------------


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class DocScope:
    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str = ""

    def filter(self):
        return Document.objects.filter(kind=self.kind, activity_id=self.activity_id, agent_ifi=self.agent_ifi,
                                       registration=self.registration)


def _precondition(doc: Document | None, if_match: str | None, if_none_match: str | None) -> None:
    if if_match is not None:
        tags = [t.strip().strip('"') for t in if_match.split(",")]
        if doc is None or ("*" not in tags and doc.etag not in tags):
            raise XapiError(RecordsErrorCode.PRECONDITION_FAILED, _("If-Match does not match the document"),
                            status=412)
    if if_none_match is not None:
        tags = [t.strip().strip('"') for t in if_none_match.split(",")]
        if doc is not None and ("*" in tags or doc.etag in tags):
            raise XapiError(RecordsErrorCode.PRECONDITION_FAILED, _("If-None-Match: the document exists"),
                            status=412)


def is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


@transaction.atomic
def document_put(*, scope: DocScope, doc_id: str, content: bytes, content_type: str, merge: bool,
                 if_match: str | None, if_none_match: str | None, require_precondition: bool) -> Document:
    doc = scope.filter().select_for_update().filter(doc_id=doc_id).first()
    if require_precondition and if_match is None and if_none_match is None:
        if doc is not None:
            raise XapiError(RecordsErrorCode.CONFLICT,
                            _("the document exists: send If-Match with its ETag"), status=409)
        raise bad_request(_("a PUT of a profile needs If-Match or If-None-Match"))
    _precondition(doc, if_match, if_none_match)
    if merge and doc is not None:
        if not (is_json_type(doc.content_type) and is_json_type(content_type)):
            raise bad_request(_("only JSON documents can be merged with POST"))
        try:
            old, new = json.loads(bytes(doc.content)), json.loads(content)
        except ValueError:
            raise bad_request(_("the document is not valid JSON")) from None
        if not isinstance(old, dict) or not isinstance(new, dict):
            raise bad_request(_("only JSON objects can be merged"))
        old.update(new)
        content = json.dumps(old, ensure_ascii=False).encode("utf-8")
        content_type = "application/json"
    elif merge:
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise bad_request(_("POST needs a JSON object to merge"))
    now = timezone.now()
    if doc is None:
        doc = Document(kind=scope.kind, activity_id=scope.activity_id, agent_ifi=scope.agent_ifi,
                       registration=scope.registration, doc_id=doc_id)
    doc.content, doc.content_type, doc.etag, doc.updated = content, content_type, etag_of(content), now
    doc.save()
    return doc


@transaction.atomic
def document_delete(*, scope: DocScope, doc_id: str | None, if_match: str | None) -> None:
    qs = scope.filter()
    if doc_id is not None:
        doc = qs.select_for_update().filter(doc_id=doc_id).first()
        _precondition(doc, if_match, None)
        if doc is not None:
            doc.delete()
        return
    qs.delete()
