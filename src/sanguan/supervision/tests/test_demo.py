from __future__ import annotations

import datetime as dt
import random

from sanguan.supervision import demo
from sanguan.supervision.models import Sanction
from sanguan.supervision.selectors import enrollment_restriction


def test_demo_issues_a_reprimand_and_a_limitation_away_from_the_primary_university(
    national_regulator, university, other_university, major
):
    # given
    from sanguan.institutions.models import Level, Major, Province, University

    third = University.objects.create(
        name="荆楚学院", institution_code="10500", institution_id="4142010500", province=Province.objects.get(code="42")
    )
    third_major = Major.objects.create(
        university=third, catalogue_code="120203", name="会计学", level=Level.HS_TO_BACHELOR
    )
    ctx = {
        "users": {"moe": national_regulator},
        "universities": [university, other_university, third],
        "primary_university": university,
        "majors": [major, third_major],
        "today": dt.date(2026, 5, 10),
    }

    # when
    demo.seed(rng=random.Random(1), scale=1, ctx=ctx)

    # then
    assert Sanction.objects.count() == 2
    assert not Sanction.objects.filter(university=university).exists()
    limitation = Sanction.objects.get(kind=Sanction.Kind.ENROLMENT_LIMITED)
    restriction = enrollment_restriction(
        university=limitation.university, major=limitation.major, on=dt.date(2026, 5, 10)
    )
    assert restriction.limit == 30
