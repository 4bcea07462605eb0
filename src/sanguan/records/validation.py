"""Statement and parameter validation against xAPI 1.0.3 (IEEE 9274.1.1).

Every check raises ``XapiError`` (400) naming the JSON path and the rule, so a client can
fix what it sent. Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from json.encoder import encode_basestring
from typing import Any

from django.utils.translation import gettext as _

from .errors import bad_request, invalid

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
MBOX_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
LANG_RE = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?$"
    r"|^[xX](?:-[A-Za-z0-9]{1,8})+$|^[iI]-[A-Za-z]{3,8}$"
)
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
    r"(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?$"
)
DURATION_RE = re.compile(
    r"^P\d+(?:[.,]\d+)?W$|"
    r"^P(?=.)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=.)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$"
)
SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
INTERACTION_TYPES = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert",
    "numeric", "other",
}
COMPONENTS_FOR = {
    "choice": {"choices"}, "sequencing": {"choices"}, "likert": {"scale"}, "matching": {"source", "target"},
    "performance": {"steps"},
}
ALL_COMPONENTS = {"choices", "scale", "source", "target", "steps"}

STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                  "version", "attachments"}
SUBSTATEMENT_KEYS = {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
GROUP_KEYS = AGENT_KEYS | {"member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


def _fail(path: str, rule: str):
    raise invalid(_("{path}: {rule}").format(path=path, rule=rule), path=path)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _object(v: Any, path: str, allowed: set[str]) -> dict:
    if not isinstance(v, dict):
        _fail(path, _("must be a JSON object"))
    extra = set(v) - allowed
    if extra:
        _fail(path, _("unknown properties {names}").format(names=", ".join(sorted(extra))))
    for k, item in v.items():
        if item is None:
            _fail(f"{path}.{k}", _("must not be null"))
    return v


def _string(v: Any, path: str) -> str:
    if not isinstance(v, str):
        _fail(path, _("must be a string"))
    return v


def _iri(v: Any, path: str) -> str:
    if not isinstance(v, str) or not IRI_RE.match(v):
        _fail(path, _("must be an absolute IRI with a scheme"))
    return v


def is_uuid(v: Any) -> bool:
    return isinstance(v, str) and bool(UUID_RE.match(v))


def _uuid(v: Any, path: str) -> str:
    if not is_uuid(v):
        _fail(path, _("must be a UUID"))
    return v


def is_language_tag(v: Any) -> bool:
    return isinstance(v, str) and bool(LANG_RE.match(v))


def _language_map(v: Any, path: str) -> None:
    if not isinstance(v, dict):
        _fail(path, _("must be a language map"))
    for k, item in v.items():
        if not is_language_tag(k):
            _fail(path, _("{tag} is not an RFC 5646 language tag").format(tag=k))
        if not isinstance(item, str):
            _fail(f"{path}.{k}", _("must be a string"))


def _extensions(v: Any, path: str) -> None:
    if not isinstance(v, dict):
        _fail(path, _("must be a JSON object"))
    for k in v:
        if not IRI_RE.match(k):
            _fail(path, _("key {key} must be an IRI").format(key=k))


def parse_timestamp(v: Any, path: str = "timestamp") -> datetime:
    """An ISO 8601 date-time; the "unknown local offset" forms -00, -0000, -00:00 are refused."""
    m = TIMESTAMP_RE.match(v) if isinstance(v, str) else None
    if not m:
        _fail(path, _("must be an ISO 8601 timestamp"))
    year, month, day, hour, minute, second, frac, _zulu, sign, oh, om = m.groups()
    if sign == "-" and int(oh) == 0 and int(om or 0) == 0:
        _fail(path, _("the offset -00:00 is not allowed"))
    tz: timezone = UTC
    if sign:
        offset = timedelta(hours=int(oh), minutes=int(om or 0))
        if int(oh) > 23 or int(om or 0) > 59:
            _fail(path, _("must be an ISO 8601 timestamp"))
        tz = timezone(-offset if sign == "-" else offset)
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=tz)
    except ValueError:
        _fail(path, _("must be an ISO 8601 timestamp"))
    raise AssertionError  # unreachable


def ifi_of(agent: dict) -> str | None:
    """A canonical string for an agent's or group's inverse functional identifier."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"]
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        acc = agent["account"]
        # json.dumps([homePage, name], ensure_ascii=False), without building an encoder per call
        return f"acct:[{_json_value(acc.get('homePage'))}, {_json_value(acc.get('name'))}]"
    return None


def _json_value(v: Any) -> str:
    return encode_basestring(v) if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _agent_ifis(v: dict, path: str) -> None:
    present = [k for k in IFI_KEYS if k in v]
    if len(present) > 1:
        _fail(path, _("must have exactly one identifier, has {names}").format(names=", ".join(present)))
    if "mbox" in v and (not isinstance(v["mbox"], str) or not MBOX_RE.match(v["mbox"])):
        _fail(f"{path}.mbox", _('must be "mailto:" and an email address'))
    if "mbox_sha1sum" in v and (not isinstance(v["mbox_sha1sum"], str) or not SHA1_RE.match(v["mbox_sha1sum"])):
        _fail(f"{path}.mbox_sha1sum", _("must be a hex SHA-1 digest"))
    if "openid" in v:
        _iri(v["openid"], f"{path}.openid")
    if "account" in v:
        acc = _object(v["account"], f"{path}.account", {"homePage", "name"})
        if "homePage" not in acc or "name" not in acc:
            _fail(f"{path}.account", _("needs homePage and name"))
        _iri(acc["homePage"], f"{path}.account.homePage")
        _string(acc["name"], f"{path}.account.name")
    if "name" in v:
        _string(v["name"], f"{path}.name")


def validate_agent(v: Any, path: str, *, object_type_required: bool = False) -> None:
    if not isinstance(v, dict):
        _fail(path, _("must be a JSON object"))
    ot = v.get("objectType", None)
    if ot == "Group":
        validate_group(v, path)
        return
    if ot is None and object_type_required:
        _fail(path, _('objectType "Agent" or "Group" is required'))
    if ot not in (None, "Agent"):
        _fail(f"{path}.objectType", _('must be "Agent" or "Group"'))
    _object(v, path, AGENT_KEYS)
    _agent_ifis(v, path)
    if ifi_of(v) is None:
        _fail(path, _("an Agent needs exactly one of mbox, mbox_sha1sum, openid, account"))


def validate_group(v: Any, path: str) -> None:
    _object(v, path, GROUP_KEYS)
    if v.get("objectType") != "Group":
        _fail(f"{path}.objectType", _('must be "Group"'))
    _agent_ifis(v, path)
    members = v.get("member")
    if members is not None:
        if not isinstance(members, list):
            _fail(f"{path}.member", _("must be an array"))
        for i, m in enumerate(members):
            mp = f"{path}.member[{i}]"
            if isinstance(m, dict) and m.get("objectType") == "Group":
                _fail(mp, _("a Group cannot contain a Group"))
            validate_agent(m, mp)
    if ifi_of(v) is None and not members:
        _fail(path, _("an anonymous Group needs members"))


def validate_actor(v: Any, path: str) -> None:
    validate_agent(v, path)


def _verb(v: Any, path: str) -> None:
    _object(v, path, {"id", "display"})
    if "id" not in v:
        _fail(f"{path}.id", _("is required"))
    _iri(v["id"], f"{path}.id")
    if "display" in v:
        _language_map(v["display"], f"{path}.display")


def _components(v: Any, path: str) -> None:
    if not isinstance(v, list):
        _fail(path, _("must be an array"))
    seen = set()
    for i, c in enumerate(v):
        cp = f"{path}[{i}]"
        _object(c, cp, {"id", "description"})
        if "id" not in c:
            _fail(f"{cp}.id", _("is required"))
        _string(c["id"], f"{cp}.id")
        if c["id"] in seen:
            _fail(f"{cp}.id", _("duplicate interaction component id"))
        seen.add(c["id"])
        if "description" in c:
            _language_map(c["description"], f"{cp}.description")


def _definition(v: Any, path: str) -> None:
    _object(v, path, {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                      "correctResponsesPattern"} | ALL_COMPONENTS)
    for k in ("name", "description"):
        if k in v:
            _language_map(v[k], f"{path}.{k}")
    if "type" in v:
        _iri(v["type"], f"{path}.type")
    if "moreInfo" in v:
        _iri(v["moreInfo"], f"{path}.moreInfo")
    if "extensions" in v:
        _extensions(v["extensions"], f"{path}.extensions")
    itype = v.get("interactionType")
    if "interactionType" in v and (not isinstance(itype, str) or itype not in INTERACTION_TYPES):
        _fail(f"{path}.interactionType", _("unknown interaction type"))
    if "correctResponsesPattern" in v:
        crp = v["correctResponsesPattern"]
        if not isinstance(crp, list) or not all(isinstance(x, str) for x in crp):
            _fail(f"{path}.correctResponsesPattern", _("must be an array of strings"))
    if itype is None and "correctResponsesPattern" in v:
        _fail(path, _("correctResponsesPattern needs an interactionType"))
    present = ALL_COMPONENTS & set(v)
    if present:
        if itype is None:
            _fail(path, _("interaction components need an interactionType"))
        allowed = COMPONENTS_FOR.get(itype, set())
        wrong = present - allowed
        if wrong:
            _fail(path, _("{names} not allowed for interactionType {type}").format(
                names=", ".join(sorted(wrong)), type=itype))
        for k in present:
            _components(v[k], f"{path}.{k}")


def validate_activity(v: Any, path: str) -> None:
    _object(v, path, {"objectType", "id", "definition"})
    if v.get("objectType", "Activity") != "Activity":
        _fail(f"{path}.objectType", _('must be "Activity"'))
    if "id" not in v:
        _fail(f"{path}.id", _("is required"))
    _iri(v["id"], f"{path}.id")
    if "definition" in v:
        _definition(v["definition"], f"{path}.definition")


def _statement_ref(v: Any, path: str) -> None:
    _object(v, path, {"objectType", "id"})
    if v.get("objectType") != "StatementRef":
        _fail(f"{path}.objectType", _('must be "StatementRef"'))
    if "id" not in v:
        _fail(f"{path}.id", _("is required"))
    _uuid(v["id"], f"{path}.id")


def _object_prop(v: Any, path: str, *, in_sub: bool) -> None:
    if not isinstance(v, dict):
        _fail(path, _("must be a JSON object"))
    ot = v.get("objectType", "Activity")
    if ot == "Activity":
        validate_activity(v, path)
    elif ot in ("Agent", "Group"):
        validate_agent(v, path)
    elif ot == "StatementRef":
        _statement_ref(v, path)
    elif ot == "SubStatement":
        if in_sub:
            _fail(path, _("a SubStatement cannot contain a SubStatement"))
        _statement_body(v, path, sub=True)
    else:
        _fail(f"{path}.objectType", _("unknown objectType"))


def _result(v: Any, path: str) -> None:
    _object(v, path, {"score", "success", "completion", "response", "duration", "extensions"})
    if "score" in v:
        s = _object(v["score"], f"{path}.score", {"scaled", "raw", "min", "max"})
        for k in s:
            if not _is_num(s[k]):
                _fail(f"{path}.score.{k}", _("must be a number"))
        if "scaled" in s and not -1 <= s["scaled"] <= 1:
            _fail(f"{path}.score.scaled", _("must be between -1 and 1"))
        if "min" in s and "max" in s and s["min"] > s["max"]:
            _fail(f"{path}.score", _("min must not exceed max"))
        if "raw" in s:
            if "min" in s and s["raw"] < s["min"]:
                _fail(f"{path}.score.raw", _("must not be below min"))
            if "max" in s and s["raw"] > s["max"]:
                _fail(f"{path}.score.raw", _("must not exceed max"))
    for k in ("success", "completion"):
        if k in v and not isinstance(v[k], bool):
            _fail(f"{path}.{k}", _("must be true or false"))
    if "response" in v:
        _string(v["response"], f"{path}.response")
    if "duration" in v and (not isinstance(v["duration"], str) or not DURATION_RE.match(v["duration"])):
        _fail(f"{path}.duration", _("must be an ISO 8601 duration"))
    if "extensions" in v:
        _extensions(v["extensions"], f"{path}.extensions")


def _context(v: Any, path: str, object_is_activity: bool) -> None:
    _object(v, path, {"registration", "instructor", "team", "contextActivities", "revision", "platform",
                      "language", "statement", "extensions"})
    if "registration" in v:
        _uuid(v["registration"], f"{path}.registration")
    if "instructor" in v:
        validate_agent(v["instructor"], f"{path}.instructor")
    if "team" in v:
        if not isinstance(v["team"], dict) or v["team"].get("objectType") != "Group":
            _fail(f"{path}.team", _("must be a Group"))
        validate_group(v["team"], f"{path}.team")
    if "contextActivities" in v:
        ca = _object(v["contextActivities"], f"{path}.contextActivities", {"parent", "grouping", "category", "other"})
        for k, acts in ca.items():
            items = acts if isinstance(acts, list) else [acts]
            for i, a in enumerate(items):
                validate_activity(a, f"{path}.contextActivities.{k}[{i}]")
    for k in ("revision", "platform"):
        if k in v:
            _string(v[k], f"{path}.{k}")
            if not object_is_activity:
                _fail(f"{path}.{k}", _("only allowed when the object is an Activity"))
    if "language" in v and not is_language_tag(v["language"]):
        _fail(f"{path}.language", _("must be an RFC 5646 language tag"))
    if "statement" in v:
        _statement_ref(v["statement"], f"{path}.statement")
    if "extensions" in v:
        _extensions(v["extensions"], f"{path}.extensions")


def _attachments(v: Any, path: str) -> None:
    if not isinstance(v, list):
        _fail(path, _("must be an array"))
    for i, a in enumerate(v):
        ap = f"{path}[{i}]"
        _object(a, ap, {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"})
        for k in ("usageType", "display", "contentType", "length", "sha2"):
            if k not in a:
                _fail(f"{ap}.{k}", _("is required"))
        _iri(a["usageType"], f"{ap}.usageType")
        _language_map(a["display"], f"{ap}.display")
        if "description" in a:
            _language_map(a["description"], f"{ap}.description")
        _string(a["contentType"], f"{ap}.contentType")
        if not isinstance(a["length"], int) or isinstance(a["length"], bool) or a["length"] < 0:
            _fail(f"{ap}.length", _("must be a non-negative integer"))
        if not isinstance(a["sha2"], str) or not SHA2_RE.match(a["sha2"]):
            _fail(f"{ap}.sha2", _("must be a hex SHA-2 digest"))
        if "fileUrl" in a:
            _iri(a["fileUrl"], f"{ap}.fileUrl")


def _statement_body(v: Any, path: str, *, sub: bool) -> None:
    _object(v, path, SUBSTATEMENT_KEYS if sub else STATEMENT_KEYS)
    prefix = f"{path}." if path else ""
    for k in ("actor", "verb", "object"):
        if k not in v:
            _fail(prefix + k, _("is required"))
    validate_actor(v["actor"], prefix + "actor")
    _verb(v["verb"], prefix + "verb")
    _object_prop(v["object"], prefix + "object", in_sub=sub)
    obj_type = v["object"].get("objectType", "Activity")
    if v["verb"]["id"] == VOIDED and obj_type != "StatementRef":
        _fail(prefix + "object", _("a voiding statement's object must be a StatementRef"))
    if "result" in v:
        _result(v["result"], prefix + "result")
    if "context" in v:
        _context(v["context"], prefix + "context", obj_type == "Activity")
    if "timestamp" in v:
        parse_timestamp(v["timestamp"], prefix + "timestamp")
    if "attachments" in v:
        _attachments(v["attachments"], prefix + "attachments")


def validate_statement(v: Any) -> None:
    """Refuse anything xAPI 1.0.3 does not allow in a statement sent to the LRS."""
    if not isinstance(v, dict):
        _fail("statement", _("must be a JSON object"))
    _statement_body(v, "", sub=False)
    if "id" in v:
        _uuid(v["id"], "id")
    if "stored" in v:
        parse_timestamp(v["stored"], "stored")
    if "authority" in v:
        a = v["authority"]
        validate_agent(a, "authority")
        if isinstance(a, dict) and a.get("objectType") == "Group":
            members = a.get("member") or []
            if ifi_of(a) is not None or len(members) != 2:
                _fail("authority", _("a Group authority must be an anonymous Group of two Agents (OAuth)"))
    if "version" in v:
        ver = v["version"]
        if not isinstance(ver, str) or not re.match(r"^1\.0(\.\d+)?$", ver):
            _fail("version", _("must be a 1.0.x version"))


# -- request parameters -------------------------------------------------------------------


def parse_json_param(raw: str, name: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise bad_request(_("{name} must be JSON").format(name=name)) from None


def agent_param(raw: str, name: str = "agent") -> dict:
    agent = parse_json_param(raw, name)
    try:
        validate_agent(agent, name)
    except Exception as exc:
        raise bad_request(str(getattr(exc, "message", exc))) from None
    return agent


def uuid_param(raw: str, name: str) -> str:
    if not is_uuid(raw):
        raise bad_request(_("{name} must be a UUID").format(name=name))
    return str(uuid.UUID(raw))


def iri_param(raw: str, name: str) -> str:
    if not IRI_RE.match(raw):
        raise bad_request(_("{name} must be an IRI").format(name=name))
    return raw


def timestamp_param(raw: str, name: str) -> datetime:
    try:
        return parse_timestamp(raw, name)
    except Exception as exc:
        raise bad_request(str(getattr(exc, "message", exc))) from None
