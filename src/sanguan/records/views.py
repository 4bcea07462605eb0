"""The xAPI resources as plain Django views.

xAPI fixes headers, status codes and bodies exactly (and has its own "alternate request
syntax"), so these views parse the request into an ``XapiRequest`` themselves and answer
with ``HttpResponse``; no session, no CSRF (clients authenticate with HTTP Basic on every
request).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import selectors, services
from .auth import client_from_header
from .errors import RecordsErrorCode, XapiError, bad_request, invalid
from .models import Document, LrsClient
from .services import DocScope
from .validation import (
    agent_param,
    ifi_of,
    iri_param,
    is_language_tag,
    parse_json_param,
    timestamp_param,
    uuid_param,
)

VERSION = "1.0.3"
VERSION_RE = re.compile(r"^1\.0(\.[0-3])?$")
ALT_HEADERS = {"authorization", "x-experience-api-version", "content-type", "content-length", "if-match",
               "if-none-match"}


@dataclass
class XapiRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    content_type: str
    client: LrsClient | None = None
    extra: dict = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _headers_of(request: HttpRequest) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def _single_params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for k, v in pairs:
        if k in params:
            raise bad_request(_("parameter {name} given twice").format(name=k))
        params[k] = v
    return params


def _parse(request: HttpRequest) -> XapiRequest:
    headers = _headers_of(request)
    query = _single_params(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    content_type = headers.get("content-type", "")
    if "method" not in query:
        return XapiRequest(request.method or "GET", query, headers, request.body, content_type)
    # Alternate request syntax (xAPI 1.0.3 Communication 1.3): the real method in the query,
    # headers and parameters as form fields, the body in "content".
    if request.method != "POST":
        raise bad_request(_("the alternate request syntax must be sent as POST"))
    if set(query) != {"method"}:
        raise bad_request(_("the alternate request syntax allows only the method parameter in the query"))
    method = query["method"].upper()
    if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        raise bad_request(_("unknown method {method}").format(method=method))
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise bad_request(_("the alternate request syntax needs a form-encoded body"))
    form = _single_params(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    hdrs = {k: v for k, v in headers.items() if k not in ("content-type", "content-length")}
    params: dict[str, str] = {}
    body = b""
    for k, v in form.items():
        lk = k.lower()
        if lk in ALT_HEADERS:
            hdrs[lk] = v
        elif k == "content":
            body = v.encode("utf-8")
        else:
            params[k] = v
    ctype = hdrs.get("content-type") or ("application/json" if body else "")
    return XapiRequest(method, params, hdrs, body, ctype, extra={"alternate": True})


def _finish(resp: HttpResponse) -> HttpResponse:
    resp["X-Experience-API-Version"] = VERSION
    return resp


def _error(exc: XapiError) -> HttpResponse:
    resp = HttpResponse(json.dumps(exc.as_dict(), ensure_ascii=False), status=exc.status,
                        content_type="application/json")
    if exc.status == 401:
        resp["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return _finish(resp)


def json_response(data, status: int = 200, *, head: bool = False) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    resp = HttpResponse(b"" if head else body, status=status, content_type="application/json")
    resp["Content-Length"] = str(len(body))
    return resp


def xapi_resource(handlers: dict[str, Callable[[XapiRequest], HttpResponse]], *, public: bool = False,
                  consistent: bool = False):
    """Wrap method handlers with version check, authentication and error rendering."""

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        try:
            xreq = _parse(request)
            method = "GET" if xreq.method == "HEAD" else xreq.method
            handler = handlers.get(method)
            if handler is None:
                raise XapiError(RecordsErrorCode.METHOD_NOT_ALLOWED, _("method not allowed"), status=405)
            if not public:
                xreq.client = client_from_header(xreq.header("authorization"))
                if xreq.client is None:
                    raise XapiError(RecordsErrorCode.UNAUTHORIZED, _("valid HTTP Basic credentials are required"),
                                    status=401)
                version = xreq.header("x-experience-api-version")
                if version is None:
                    raise bad_request(_("the X-Experience-API-Version header is required"))
                if not VERSION_RE.match(version.strip()):
                    raise bad_request(_("unsupported xAPI version {version}").format(version=version))
            resp = handler(xreq)
            if xreq.method == "HEAD":
                resp.content = b""
        except XapiError as exc:
            resp = _error(exc)
        if consistent:
            _consistent(resp)
        return _finish(resp)

    return view


def _only(req: XapiRequest, allowed: set[str]) -> None:
    unknown = set(req.params) - allowed
    if unknown:
        raise bad_request(_("unexpected parameters {names}").format(names=", ".join(sorted(unknown))))


def _require(req: XapiRequest, name: str) -> str:
    if name not in req.params:
        raise bad_request(_("the {name} parameter is required").format(name=name))
    return req.params[name]


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def parse_json(data: bytes):
    """Strict JSON: the standard parser, which keeps big integers exact, without the NaN and
    Infinity it accepts by default (they are not JSON, and stored they would make every
    answer holding them unreadable)."""
    return json.loads(data.decode("utf-8"), parse_constant=_not_json)


def _json_body(req: XapiRequest):
    try:
        return parse_json(req.body)
    except (ValueError, UnicodeDecodeError):
        raise invalid(_("the body is not valid JSON")) from None


# -- about ----------------------------------------------------------------------------------


def about_get(req: XapiRequest) -> HttpResponse:
    return json_response({"version": ["1.0.0", "1.0.1", "1.0.2", VERSION], "extensions": {}},
                         head=req.method == "HEAD")


about = xapi_resource({"GET": about_get}, public=True)


# -- statements -----------------------------------------------------------------------------

STATEMENT_PARAMS = {"statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
                    "related_activities", "related_agents", "since", "until", "limit", "format", "attachments",
                    "ascending", "more"}


def _multipart(req: XapiRequest) -> tuple[bytes, dict[str, tuple[str, bytes]]]:
    """Split a multipart/mixed request into the statement JSON and attachment parts by SHA-2."""
    m = re.search(r'boundary="?([^";]+)"?', req.content_type)
    if not m:
        raise bad_request(_("multipart/mixed without a boundary"))
    delimiter = b"--" + m.group(1).encode("latin-1")
    chunks = req.body.split(delimiter)
    if len(chunks) < 3:
        raise bad_request(_("malformed multipart/mixed body"))
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition(b"\n\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        hdrs = {}
        for line in head.decode("latin-1").splitlines():
            name, _c, value = line.partition(":")
            if name.strip():
                hdrs[name.strip().lower()] = value.strip()
        parts.append((hdrs, content))
    if not parts:
        raise bad_request(_("malformed multipart/mixed body"))
    first_hdrs, statement_body = parts[0]
    if first_hdrs.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise bad_request(_("the first part of a multipart/mixed request must be application/json"))
    attachments: dict[str, tuple[str, bytes]] = {}
    for hdrs, content in parts[1:]:
        sha2 = hdrs.get("x-experience-api-hash")
        if not sha2:
            raise bad_request(_("an attachment part lacks the X-Experience-API-Hash header"))
        if hdrs.get("content-transfer-encoding", "").lower() != "binary":
            raise bad_request(_("an attachment part needs Content-Transfer-Encoding: binary"))
        if hashlib.sha256(content).hexdigest() != sha2.lower():
            raise bad_request(_("an attachment part does not match its X-Experience-API-Hash"))
        attachments[sha2] = (hdrs.get("content-type", "application/octet-stream"), content)
    return statement_body, attachments


def _statement_payload(req: XapiRequest):
    ctype = req.content_type.split(";")[0].strip().lower()
    if ctype == "multipart/mixed":
        body, parts = _multipart(req)
        try:
            return parse_json(body), parts
        except (ValueError, UnicodeDecodeError):
            raise invalid(_("the statement part is not valid JSON")) from None
    if ctype != "application/json" and not req.extra.get("alternate"):
        raise bad_request(_("statements must be sent as application/json or multipart/mixed"))
    return _json_body(req), {}


def _consistent(resp: HttpResponse) -> HttpResponse:
    resp["X-Experience-API-Consistent-Through"] = services.format_stored(timezone.now())
    return resp


def statements_post(req: XapiRequest) -> HttpResponse:
    _only(req, set())
    payload, parts = _statement_payload(req)
    statements = payload if isinstance(payload, list) else [payload]
    ids = services.statements_store(client=req.client, statements=statements, parts=parts)
    return _consistent(json_response(ids))


def statements_put(req: XapiRequest) -> HttpResponse:
    _only(req, {"statementId"})
    sid = uuid_param(_require(req, "statementId"), "statementId")
    payload, parts = _statement_payload(req)
    if not isinstance(payload, dict):
        raise invalid(_("PUT takes one statement"))
    if "id" in payload:
        if not isinstance(payload["id"], str) or payload["id"].lower() != sid:
            raise bad_request(_("the statementId parameter and the statement's id differ"))
    else:
        payload = {**payload, "id": sid}
    services.statements_store(client=req.client, statements=[payload], parts=parts)
    return _consistent(HttpResponse(status=204))


def _bool_param(req: XapiRequest, name: str) -> bool:
    raw = req.params.get(name, "false")
    if raw not in ("true", "false"):
        raise bad_request(_("{name} must be true or false").format(name=name))
    return raw == "true"


def _accept_languages(req: XapiRequest) -> list[str]:
    header = req.header("accept-language") or ""
    ranked = []
    for i, item in enumerate(header.split(",")):
        tag, _s, q = item.strip().partition(";q=")
        if tag:
            try:
                ranked.append((-float(q or 1), i, tag.strip().lower()))
            except ValueError:
                continue
    return [t for _q, _i, t in sorted(ranked)]


def _pick_language(m: dict, langs: list[str]) -> dict:
    if not isinstance(m, dict) or not m:
        return m
    lower = {k.lower(): k for k in m}
    for tag in langs:
        if tag == "*":
            break
        if tag in lower:
            return {lower[tag]: m[lower[tag]]}
        for k_low, k in lower.items():
            if k_low.split("-")[0] == tag.split("-")[0]:
                return {k: m[k]}
    first = next(iter(m))
    return {first: m[first]}


def _format_agent_ids(a: dict) -> dict:
    out = {"objectType": a["objectType"]} if "objectType" in a else {}
    for k in ("mbox", "mbox_sha1sum", "openid", "account"):
        if k in a:
            out[k] = a[k]
    if a.get("objectType") == "Group" and "member" in a and ifi_of(a) is None:
        out["member"] = [_format_agent_ids(m) for m in a["member"]]
    return out


def _format_statement(s: dict, fmt: str, langs: list[str]) -> dict:
    if fmt == "exact":
        return s

    def activity(a: dict) -> dict:
        if fmt == "ids":
            return {"id": a["id"]}
        a = dict(a)
        if "definition" in a:
            d = dict(a["definition"])
            for k in ("name", "description"):
                if k in d:
                    d[k] = _pick_language(d[k], langs)
            for k in ("choices", "scale", "source", "target", "steps"):
                if k in d:
                    d[k] = [{**c, "description": _pick_language(c["description"], langs)} if "description" in c
                            else c for c in d[k]]
            a["definition"] = d
        return a

    def agent(a: dict) -> dict:
        return _format_agent_ids(a) if fmt == "ids" else a

    def obj(o: dict) -> dict:
        ot = o.get("objectType", "Activity")
        if ot == "Activity":
            return activity(o)
        if ot in ("Agent", "Group"):
            return agent(o)
        if ot == "SubStatement":
            return body(o)
        return o

    def context(c: dict) -> dict:
        c = dict(c)
        for k in ("instructor", "team"):
            if k in c:
                c[k] = agent(c[k])
        if "contextActivities" in c:
            c["contextActivities"] = {k: [activity(a) for a in (v if isinstance(v, list) else [v])]
                                      for k, v in c["contextActivities"].items()}
        return c

    def body(st: dict) -> dict:
        st = dict(st)
        st["actor"] = agent(st["actor"])
        verb = st["verb"]
        st["verb"] = {"id": verb["id"]} if fmt == "ids" else (
            {**verb, "display": _pick_language(verb["display"], langs)} if "display" in verb else verb)
        st["object"] = obj(st["object"])
        if "context" in st:
            st["context"] = context(st["context"])
        if "authority" in st:
            st["authority"] = agent(st["authority"])
        if "attachments" in st and fmt == "canonical":
            st["attachments"] = [{**a, "display": _pick_language(a["display"], langs),
                                  **({"description": _pick_language(a["description"], langs)}
                                     if "description" in a else {})} for a in st["attachments"]]
        return st

    return body(s)


def _render(rows, fmt: str, langs: list[str]) -> list[dict]:
    return [_format_statement(json.loads(r.full), fmt, langs) for r in rows]


def _multipart_response(payload, statements: list[dict], *, head: bool) -> HttpResponse:
    sha2s = {a["sha2"] for s in statements for a in s.get("attachments") or []}
    found = selectors.attachments_for(sha2s)
    boundary = uuid.uuid4().hex
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
              json.dumps(payload, ensure_ascii=False).encode("utf-8"), b"\r\n"]
    for sha2, att in found.items():
        chunks.append(f"--{boundary}\r\nContent-Type: {att.content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                      f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode())
        chunks.append(bytes(att.content))
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--".encode())
    body = b"".join(chunks)
    resp = HttpResponse(b"" if head else body, content_type=f"multipart/mixed; boundary={boundary}")
    resp["Content-Length"] = str(len(body))
    return resp


def _more_url(token: dict) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")
    return reverse("records:statements") + "?" + urlencode({"more": raw})


def _decode_more(raw: str) -> dict:
    try:
        token = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(token, dict) or not isinstance(token.get("p"), dict):
            raise ValueError
        return token
    except (ValueError, TypeError):
        raise bad_request(_("the more token is not valid")) from None


def statements_get(req: XapiRequest) -> HttpResponse:
    _only(req, STATEMENT_PARAMS)
    head = req.method == "HEAD"
    params = dict(req.params)
    after = None
    if "more" in params:
        if len(params) != 1:
            raise bad_request(_("more takes no other parameters"))
        token = _decode_more(params["more"])
        params = token["p"]
        after = (datetime.fromisoformat(token["s"]), int(token["k"]))
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise bad_request(_("format must be exact, ids or canonical"))
    with_attachments = _bool_param(XapiRequest("GET", params, {}, b"", ""), "attachments")
    langs = _accept_languages(req)
    for single in ("statementId", "voidedStatementId"):
        if single in params:
            if set(params) - {single, "format", "attachments"}:
                raise bad_request(_("{name} allows only format and attachments besides it").format(name=single))
            sid = uuid_param(params[single], single)
            row = selectors.statement_by_id(statement_id=sid, voided=single == "voidedStatementId")
            if row is None:
                raise XapiError(RecordsErrorCode.NOT_FOUND, _("no such statement"), status=404)
            statement = _render([row], fmt, langs)[0]
            resp = (_multipart_response(statement, [statement], head=head) if with_attachments
                    else json_response(statement, head=head))
            resp["Last-Modified"] = format_datetime(row.stored.astimezone(UTC), usegmt=True)
            return _consistent(resp)
    q = selectors.StatementQuery()
    if "agent" in params:
        q.agent = agent_param(params["agent"])
    if "verb" in params:
        q.verb = iri_param(params["verb"], "verb")
    if "activity" in params:
        q.activity = iri_param(params["activity"], "activity")
    if "registration" in params:
        q.registration = uuid_param(params["registration"], "registration")
    sub = XapiRequest("GET", params, {}, b"", "")
    q.related_activities = _bool_param(sub, "related_activities")
    q.related_agents = _bool_param(sub, "related_agents")
    q.ascending = _bool_param(sub, "ascending")
    if "since" in params:
        q.since = timestamp_param(params["since"], "since")
    if "until" in params:
        q.until = timestamp_param(params["until"], "until")
    if "limit" in params:
        if not re.fullmatch(r"\d+", params["limit"]):
            raise bad_request(_("limit must be a non-negative integer"))
        q.limit = int(params["limit"])
    rows, more = selectors.statements_matching(q, after=after)
    more_url = _more_url({"p": params, "s": rows[-1].stored.isoformat(), "k": rows[-1].pk}) if more and rows else ""
    if fmt == "exact" and not with_attachments:
        # The stored text is already the exact form: splice it instead of parsing and re-encoding.
        body = ('{"statements":[' + ",".join(r.full for r in rows) + '],"more":' + json.dumps(more_url) + "}")
        data = body.encode("utf-8")
        resp = HttpResponse(b"" if head else data, content_type="application/json")
        resp["Content-Length"] = str(len(data))
        return _consistent(resp)
    statements = _render(rows, fmt, langs)
    result = {"statements": statements, "more": more_url}
    resp = (_multipart_response(result, statements, head=head) if with_attachments
            else json_response(result, head=head))
    return _consistent(resp)


statements = xapi_resource({"GET": statements_get, "PUT": statements_put, "POST": statements_post},
                           consistent=True)


# -- documents ------------------------------------------------------------------------------


def _agent_ifi(req: XapiRequest) -> str:
    return ifi_of(agent_param(_require(req, "agent"))) or ""


def _document_response(doc: Document, head: bool) -> HttpResponse:
    body = bytes(doc.content)
    resp = HttpResponse(b"" if head else body, content_type=doc.content_type)
    resp["Content-Length"] = str(len(body))
    resp["ETag"] = f'"{doc.etag}"'
    resp["Last-Modified"] = format_datetime(doc.updated.astimezone(UTC), usegmt=True)
    return resp


def _document_resource(scope_of: Callable[[XapiRequest], DocScope], id_name: str, params: set[str], *,
                       require_precondition: bool, delete_many: bool):
    def get(req: XapiRequest) -> HttpResponse:
        _only(req, params | {id_name, "since"})
        scope = scope_of(req)
        head = req.method == "HEAD"
        if id_name in req.params:
            if "since" in req.params:
                raise bad_request(_("since is not allowed with {name}").format(name=id_name))
            doc = selectors.document_get(scope=scope, doc_id=req.params[id_name])
            if doc is None:
                raise XapiError(RecordsErrorCode.NOT_FOUND, _("no such document"), status=404)
            return _document_response(doc, head)
        since = timestamp_param(req.params["since"], "since") if "since" in req.params else None
        return json_response(selectors.document_ids(scope=scope, since=since), head=head)

    def write(req: XapiRequest, merge: bool) -> HttpResponse:
        _only(req, params | {id_name})
        scope = scope_of(req)
        doc_id = _require(req, id_name)
        ctype = req.content_type or "application/octet-stream"
        if merge or services.is_json_type(ctype):
            try:
                parsed = json.loads(req.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                raise bad_request(_("the document is not valid JSON")) from None
            if merge and not isinstance(parsed, dict):
                raise bad_request(_("POST needs a JSON object to merge"))
        doc = services.document_put(scope=scope, doc_id=doc_id, content=req.body, content_type=ctype, merge=merge,
                                    if_match=req.header("if-match"), if_none_match=req.header("if-none-match"),
                                    require_precondition=require_precondition and not merge)
        resp = HttpResponse(status=204)
        resp["ETag"] = f'"{doc.etag}"'
        return resp

    def delete(req: XapiRequest) -> HttpResponse:
        _only(req, params | {id_name})
        scope = scope_of(req)
        if id_name not in req.params and not delete_many:
            raise bad_request(_("the {name} parameter is required").format(name=id_name))
        services.document_delete(scope=scope, doc_id=req.params.get(id_name), if_match=req.header("if-match"))
        return HttpResponse(status=204)

    return xapi_resource({"GET": get, "PUT": lambda r: write(r, False), "POST": lambda r: write(r, True),
                          "DELETE": delete})


def _state_scope(req: XapiRequest) -> DocScope:
    activity_id = iri_param(_require(req, "activityId"), "activityId")
    agent = _agent_ifi(req)
    reg = uuid_param(req.params["registration"], "registration") if "registration" in req.params else ""
    return DocScope(Document.STATE, activity_id=activity_id, agent_ifi=agent, registration=reg)


def _activity_profile_scope(req: XapiRequest) -> DocScope:
    return DocScope(Document.ACTIVITY_PROFILE, activity_id=iri_param(_require(req, "activityId"), "activityId"))


def _agent_profile_scope(req: XapiRequest) -> DocScope:
    return DocScope(Document.AGENT_PROFILE, agent_ifi=_agent_ifi(req))


state = _document_resource(_state_scope, "stateId", {"activityId", "agent", "registration"},
                           require_precondition=False, delete_many=True)
activity_profile = _document_resource(_activity_profile_scope, "profileId", {"activityId"},
                                      require_precondition=True, delete_many=False)
agent_profile = _document_resource(_agent_profile_scope, "profileId", {"agent"},
                                   require_precondition=True, delete_many=False)


# -- activities and agents ------------------------------------------------------------------


def activities_get(req: XapiRequest) -> HttpResponse:
    _only(req, {"activityId"})
    activity_id = iri_param(_require(req, "activityId"), "activityId")
    definition = selectors.activity_definition(activity_id=activity_id)
    activity = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return json_response(activity, head=req.method == "HEAD")


def agents_get(req: XapiRequest) -> HttpResponse:
    _only(req, {"agent"})
    agent = agent_param(_require(req, "agent"))
    if agent.get("objectType") == "Group":
        raise bad_request(_("the agents resource takes an Agent, not a Group"))
    person: dict = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for k in ("mbox", "mbox_sha1sum", "openid", "account"):
        if k in agent:
            person[k] = [agent[k]]
    return json_response(person, head=req.method == "HEAD")


activities = xapi_resource({"GET": activities_get})
agents = xapi_resource({"GET": agents_get})

__all__ = ["about", "activities", "activity_profile", "agent_profile", "agents", "is_language_tag",
           "parse_json_param", "state", "statements"]
