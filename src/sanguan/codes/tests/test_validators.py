"""Test vectors from section (c) of the regulatory brief."""

from __future__ import annotations

import datetime as dt

import pytest

from sanguan.codes.errors import CodeError
from sanguan.codes.provinces import PROVINCES, is_province_code
from sanguan.codes.validators import (
    id_check_char,
    mask_id_number,
    mask_phone,
    upgrade_id15,
    uscc_check_char,
    validate_catalogue_code,
    validate_degree_cert_no,
    validate_graduation_cert_no,
    validate_institution_code,
    validate_institution_id,
    validate_programme_code,
    validate_province_code,
    validate_resident_id,
    validate_uscc,
)


@pytest.mark.parametrize(
    ("number", "birth", "sex", "known"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "F", True),
        ("11010519491231002x", dt.date(1949, 12, 31), "F", True),
        ("440524188001010014", dt.date(1880, 1, 1), "M", True),
        ("360426199101010071", dt.date(1991, 1, 1), "M", True),
        ("810000199001010019", dt.date(1990, 1, 1), "M", True),
        ("820000199001010029", dt.date(1990, 1, 1), "F", True),
        ("830000199001010039", dt.date(1990, 1, 1), "M", False),
    ],
)
def test_valid_resident_ids(number, birth, sex, known):
    rid = validate_resident_id(number, today=dt.date(2026, 11, 28))
    assert rid.number == number.upper()
    assert rid.birth_date == birth
    assert rid.sex == sex
    assert rid.region_known is known  # 83 (Taiwan residence permits) is not a GB/T 2260 province: warn only


def test_wrong_check_character_is_rejected():
    with pytest.raises(CodeError) as err:
        validate_resident_id("110105194912310021")
    assert err.value.code == "ID_NUMBER_CHECKSUM"


@pytest.mark.parametrize("number", ["", "1101051949123100", "11010519491231002Y", "A1010519491231002X", "1" * 19])
def test_malformed_resident_ids_are_rejected(number):
    with pytest.raises(CodeError) as err:
        validate_resident_id(number)
    assert err.value.code == "ID_NUMBER_FORMAT"


def test_impossible_birth_date_is_rejected():
    body = "11010519490230002"  # 30 February
    with pytest.raises(CodeError) as err:
        validate_resident_id(body + id_check_char(body))
    assert err.value.code == "ID_NUMBER_BIRTH_DATE"


def test_future_birth_date_is_rejected():
    body = "11010520300101002"
    with pytest.raises(CodeError) as err:
        validate_resident_id(body + id_check_char(body), today=dt.date(2026, 1, 1))
    assert err.value.code == "ID_NUMBER_BIRTH_DATE"


def test_fifteen_digit_numbers_are_upgraded_only_when_allowed():
    old = "110105491231002"
    assert upgrade_id15(old) == "11010519491231002X"
    assert validate_resident_id(old, allow_15=True).number == "11010519491231002X"
    with pytest.raises(CodeError):
        validate_resident_id(old)


def test_age_counts_birthdays():
    rid = validate_resident_id("11010519491231002X")
    assert rid.age_on(dt.date(1989, 12, 30)) == 39
    assert rid.age_on(dt.date(1989, 12, 31)) == 40


def test_masking():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"


def test_province_table_has_the_34_divisions_and_no_xpcc():
    assert len(PROVINCES) == 34
    assert is_province_code("42") and is_province_code("420000")
    assert not is_province_code("66")  # XPCC is an organisation, not a province
    assert validate_province_code("440000") == "44"
    with pytest.raises(CodeError) as err:
        validate_province_code("99")
    assert err.value.code == "PROVINCE_CODE"


@pytest.mark.parametrize(
    ("ident", "code"),
    [
        ("4111010001", "10001"),
        ("4131010246", "10246"),
        ("4133010335", "10335"),
        ("4132010284", "10284"),
        ("4212051171", "51171"),
    ],
)
def test_institution_id_vectors(ident, code):
    assert validate_institution_code(code) == code
    assert validate_institution_id(ident, institution_code=code, province_code=ident[2:4]) == ident


def test_institution_id_mismatch_with_school_code():
    with pytest.raises(CodeError) as err:
        validate_institution_id("4111010001", institution_code="10002")
    assert err.value.code == "INSTITUTION_ID_MISMATCH"


def test_institution_id_mismatch_with_province():
    with pytest.raises(CodeError) as err:
        validate_institution_id("4111010001", province_code="42")
    assert err.value.code == "INSTITUTION_ID_MISMATCH"


@pytest.mark.parametrize("ident", ["3111010001", "411101000", "4111110001", "4199010001", "41110100x1"])
def test_malformed_institution_ids(ident):
    with pytest.raises(CodeError):
        validate_institution_id(ident)


@pytest.mark.parametrize("code", ["2001", "20001", "100011", "1000a"])
def test_malformed_school_codes(code):
    with pytest.raises(CodeError) as err:
        validate_institution_code(code)
    assert err.value.code == "INSTITUTION_CODE"


def test_uscc_vector_and_check():
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    assert validate_uscc("91110000600037341l") == "91110000600037341L"
    assert uscc_check_char("91110000600037341") == "L"
    with pytest.raises(CodeError) as err:
        validate_uscc("91110000600037341M")
    assert err.value.code == "USCC_CHECKSUM"
    with pytest.raises(CodeError) as err:
        validate_uscc("9111000060003734IL")  # I is not in the alphabet
    assert err.value.code == "USCC_FORMAT"


@pytest.mark.parametrize("code", ["080901", "100201K", "120203K", "050201", "080910T"])
def test_programme_codes(code):
    assert validate_programme_code(code) == code


@pytest.mark.parametrize("code", ["150101", "000101", "08090", "080901X"])
def test_bad_programme_codes(code):
    with pytest.raises(CodeError):
        validate_programme_code(code)


def test_associate_majors_use_the_vocational_catalogue():
    assert validate_catalogue_code("510201", level="HS_TO_ASSOCIATE") == "510201"
    assert validate_catalogue_code("080901", level="ASSOCIATE_TO_BACHELOR") == "080901"


def test_graduation_certificate_numbers():
    cert = validate_graduation_cert_no("104765201605701784")
    assert (cert.institution_code, cert.provision_type, cert.year, cert.award_level) == ("10476", "5", 2016, "05")
    online = validate_graduation_cert_no("102467202205000123")
    assert online.provision_type == "7"
    with pytest.raises(CodeError):
        validate_graduation_cert_no("102468202205000123")  # 8 is no provision type


@pytest.mark.parametrize(
    ("number", "prefix", "year"),
    [("1024642008000001", "", 2008), ("1031342013001549", "", 2013), ("C1024642008000001", "C", 2008)],
)
def test_degree_certificate_numbers(number, prefix, year):
    cert = validate_degree_cert_no(number)
    assert (cert.prefix, cert.level, cert.year) == (prefix, "4", year)


def test_bad_degree_certificate_number():
    with pytest.raises(CodeError) as err:
        validate_degree_cert_no("1024652008000001")
    assert err.value.code == "DEGREE_CERT_NO"
