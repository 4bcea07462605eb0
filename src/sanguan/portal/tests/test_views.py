"""The public registry: disclosed centres only, search, and the authorisation lookup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sanguan.institutions.models import CentreFiling, LearningCentre
from sanguan.institutions.selectors import Authorisation, centre_authorisation, disclosed_centres

pytestmark = pytest.mark.django_db


@pytest.fixture
def undisclosed(university, province) -> LearningCentre:
    return LearningCentre.objects.create(
        university=university, code="JH-YC-02", name="江汉大学宜昌西陵区校外教学点", host_province=province,
        city="宜昌市", address="宜昌市西陵区 1 号", status=LearningCentre.Status.OPERATING,
    )


@pytest.fixture
def filing(centre) -> CentreFiling:
    return CentreFiling.objects.create(
        centre=centre, province=centre.host_province, cycle_year=2025, filed_status=CentreFiling.Filed.NEW,
        decision=CentreFiling.Decision.ACCEPTED, submitted_on=dt.date(2025, 1, 20), decided_on=dt.date(2025, 4, 20),
        valid_until=dt.date(2028, 4, 19),
    )


def test_index_answers_anonymously_in_chinese_by_default(client, centre):
    # when
    response = client.get(reverse("portal:index"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "这个学习中心真的经过高校授权吗？" in html


def test_index_in_english_when_the_language_cookie_says_so(client, settings, centre):
    # given
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when
    html = client.get(reverse("portal:index")).content.decode()
    # then
    assert "Is this learning centre really authorised?" in html


def test_university_page_lists_only_disclosed_centres(client, centre, undisclosed, other_centre):
    # when
    response = client.get(reverse("portal:university", args=[centre.university.institution_code]))
    # then
    html = response.content.decode()
    assert centre.name in html
    assert undisclosed.name not in html
    assert other_centre.name not in html


def test_university_page_of_an_unknown_code_is_not_found(client, university):
    assert client.get(reverse("portal:university", args=["99999"])).status_code == 404


def test_centre_search_matches_city_and_province(client, centre, other_centre):
    # given a disclosed centre of the other university too
    other_centre.is_disclosed = True
    other_centre.disclosed_on = dt.date(2025, 6, 30)
    other_centre.save()
    # when
    by_city = list(disclosed_centres(query="武汉"))
    by_province = list(disclosed_centres(query="广东"))
    # then
    assert by_city == [centre]
    assert by_province == [other_centre]


def test_centre_search_answers_htmx_with_rows_only(client, centre):
    # when
    response = client.get(reverse("portal:centres"), {"q": "洪山"}, headers={"HX-Request": "true"})
    # then
    html = response.content.decode()
    assert html.lstrip().startswith('<tbody id="centre-rows">')
    assert centre.name in html and "<html" not in html


def test_centre_list_shows_the_filing_in_force(client, centre, filing):
    # when
    html = client.get(reverse("portal:centres")).content.decode()
    # then
    assert "有效期至 2028-04-19" in html


def test_closed_centres_leave_the_public_list(centre):
    # given
    centre.status = LearningCentre.Status.CLOSED
    centre.save()
    # then
    assert list(disclosed_centres()) == []


def test_lookup_of_a_disclosed_centre_answers_with_its_disclosure_date(client, centre, filing):
    # when
    response = client.get(reverse("portal:check"), {"university": "江汉大学", "centre": centre.name})
    # then
    result = response.context["result"]
    assert result.status == Authorisation.AUTHORISED
    assert result.disclosed_on == dt.date(2025, 6, 30)
    assert result.filing_in_force == filing
    assert "于 2025-06-30 公示了" in response.content.decode()


def test_lookup_by_school_code_and_centre_code(centre):
    # when
    result = centre_authorisation(university_query="11072", centre_query="jh-wh-01")
    # then
    assert result.status == Authorisation.AUTHORISED and result.centre == centre


def test_lookup_of_an_undisclosed_centre_warns(client, undisclosed):
    # when
    response = client.get(reverse("portal:check"), {"university": "江汉大学", "centre": undisclosed.name})
    # then
    assert response.context["result"].status == Authorisation.NOT_DISCLOSED
    html = response.content.decode()
    assert "未公示" in html and "谨防冒用学校名义的机构" in html


def test_lookup_of_an_unknown_centre_warns(client, centre):
    # when
    response = client.get(reverse("portal:check"), {"university": "江汉大学", "centre": "江汉大学深圳福田学习中心"})
    # then
    assert response.context["result"].status == Authorisation.NOT_FOUND
    html = response.content.decode()
    assert "不存在" in html and "谨防冒用学校名义的机构" in html


def test_lookup_of_a_centre_under_the_wrong_university_is_not_found(centre, other_university):
    # when the centre's name is given with another university
    result = centre_authorisation(university_query=other_university.name, centre_query=centre.name)
    # then
    assert result.status == Authorisation.NOT_FOUND


def test_lookup_of_an_unknown_university_warns(client, centre):
    # when
    response = client.get(reverse("portal:check"), {"university": "不存在大学", "centre": centre.name})
    # then
    assert response.context["result"].status == Authorisation.UNKNOWN_UNIVERSITY
    assert "未找到该高校" in response.content.decode()


def test_lookup_with_a_vague_university_name_lists_the_candidates(centre, other_university):
    # when
    result = centre_authorisation(university_query="大学", centre_query=centre.name)
    # then
    assert result.status == Authorisation.AMBIGUOUS_UNIVERSITY
    assert set(result.candidates) == {centre.university, other_university}


def test_lookup_form_requires_both_fields(client, centre):
    # when
    response = client.get(reverse("portal:check"), {"university": "江汉大学", "centre": ""})
    # then
    assert response.context["result"] is None
    assert "这个字段是必填项" in response.content.decode()


def test_lookup_ignores_a_too_short_partial_name(centre):
    # a two-character fragment must not "authorise" whatever centre contains it
    assert centre_authorisation(university_query="江汉大学", centre_query="武汉").status == Authorisation.NOT_FOUND


def test_universities_page_counts_disclosed_centres(client, centre, undisclosed, other_university):
    # when
    response = client.get(reverse("portal:universities"))
    # then
    rows = {u.name: u.disclosed_centres for u in response.context["universities"]}
    assert rows == {"江汉大学": 1, "南海师范大学": 0}


def test_public_list_query_budget(client, centre, filing, django_assert_max_num_queries):
    # given many disclosed centres
    for i in range(30):
        LearningCentre.objects.create(
            university=centre.university, code=f"JH-X-{i:02d}", name=f"江汉大学第{i}教学点",
            host_province=centre.host_province, address="武汉", is_disclosed=True, disclosed_on=dt.date(2025, 6, 30),
        )
    # then
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:centres"))


def test_lookup_with_only_the_university_name_as_centre_is_not_authorised(centre, undisclosed):
    # when the centre field repeats the university's name, which every centre name contains
    result = centre_authorisation(university_query="江汉大学", centre_query="江汉大学")
    # then nothing is declared authorised; the disclosed candidates are offered
    assert result.status == Authorisation.AMBIGUOUS_CENTRE
    assert result.centre_candidates == (centre,)


def test_lookup_by_a_unique_part_of_a_name(centre, undisclosed):
    # when
    result = centre_authorisation(university_query="江汉大学", centre_query="武汉洪山")
    # then
    assert result.status == Authorisation.AUTHORISED and result.centre == centre


def test_lookup_under_the_wrong_university_says_whose_centre_it_is(client, centre, other_university):
    # when a disclosed centre of 江汉大学 is presented as 南海师范大学's
    response = client.get(reverse("portal:check"), {"university": other_university.name, "centre": centre.name})
    # then the answer is a warning that names the real university
    result = response.context["result"]
    assert result.status == Authorisation.NOT_FOUND
    assert result.disclosed_elsewhere == centre
    assert "是江汉大学公示的，不属于南海师范大学" in response.content.decode()
