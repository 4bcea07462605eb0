from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sanguan.compliance.models import Finding


def test_command_runs_the_rules_and_prints_json(remote_centre):
    # given
    out = StringIO()

    # when
    call_command("compliance", "run", "--rule", "CENTRE-001", "--rule", "CENTRE-002", "--json", stdout=out)

    # then
    summary = json.loads(out.getvalue())
    assert summary["rules"] == ["CENTRE-001", "CENTRE-002"]
    assert summary["opened"] == 1
    assert Finding.objects.get().rule_code == "CENTRE-001"


def test_command_runs_one_rule(remote_centre):
    out = StringIO()
    call_command("compliance", "run", "--rule", "CENTRE-002", stdout=out)
    assert "new findings: 0" in out.getvalue()
    assert not Finding.objects.exists()


def test_command_refuses_an_unknown_rule(db):
    with pytest.raises(CommandError, match="UNKNOWN_RULE"):
        call_command("compliance", "run", "--rule", "NOPE-1", stdout=StringIO())


def test_command_lists_rules(db):
    out = StringIO()
    call_command("compliance", "rules", "--json", stdout=out)
    codes = [r["code"] for r in json.loads(out.getvalue())]
    assert {"CENTRE-001", "CENTRE-002", "CENTRE-003"} <= set(codes)
