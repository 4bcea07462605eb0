"""Validators for national code formats. Each returns the normalised value or raises
``CodeError``; test vectors come from section (c) of the regulatory brief."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .errors import CodeError, CodeErrorCode
from .provinces import PROVINCES, is_province_code

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
ID15_RE = re.compile(r"^\d{15}$")


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits."""
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F": odd sequence digit is male
    region_code: str
    region_known: bool  # False: a place code we cannot confirm; a warning, never a refusal

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def upgrade_id15(number: str) -> str:
    """A first-generation 15-digit number as its 18-digit form ("19" after the region)."""
    body = number[:6] + "19" + number[6:]
    return body + id_check_char(body)


def validate_resident_id(raw: str, *, today: dt.date | None = None, allow_15: bool = False) -> ResidentId:
    """Check an 18-digit resident ID number: format, check character, real birth date.

    Lower-case ``x`` is accepted. An unknown place code is *not* an error (codes change
    every year; residence permits use 81/82/83): ``region_known`` says so, for a warning.
    """
    number = (raw or "").strip().upper()
    if allow_15 and ID15_RE.match(number):
        number = upgrade_id15(number)
    if not ID_RE.match(number):
        raise CodeError(
            CodeErrorCode.ID_NUMBER_FORMAT,
            _("The ID number must have 17 digits followed by a digit or X."),
            {"value_length": len(number)},
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise CodeError(CodeErrorCode.ID_NUMBER_CHECKSUM, _("The ID number's check character is wrong."))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError(
            CodeErrorCode.ID_NUMBER_BIRTH_DATE, _("The birth date in the ID number is not a real date.")
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1800:
        raise CodeError(CodeErrorCode.ID_NUMBER_BIRTH_DATE, _("The birth date in the ID number is impossible."))
    region = number[:6]
    return ResidentId(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=region,
        region_known=region[:2] in PROVINCES,
    )


def mask_id_number(number: str) -> str:
    """110105********002X: the region and the last four stay visible."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str) -> str:
    digits = number.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def validate_province_code(raw: str) -> str:
    """A province code as its 2-digit form; accepts ``PP`` or ``PP0000``."""
    code = (raw or "").strip()
    if not is_province_code(code):
        raise CodeError(CodeErrorCode.PROVINCE_CODE, _("Not a GB/T 2260 province-level code."), {"value": code})
    return code[:2]


INSTITUTION_CODE_RE = re.compile(r"^[15]\d{4}$")
INSTITUTION_ID_RE = re.compile(r"^(4[12])(\d{2})0(\d{5})$")


def validate_institution_code(raw: str) -> str:
    """The 5-digit 学校代码 (1xxxx ordinary, 5xxxx adult HEIs). A string, never a number."""
    code = (raw or "").strip()
    if not INSTITUTION_CODE_RE.match(code):
        raise CodeError(
            CodeErrorCode.INSTITUTION_CODE,
            _("The school code must have 5 digits and begin with 1 (ordinary) or 5 (adult)."),
            {"value": code},
        )
    return code


def validate_institution_id(raw: str, *, institution_code: str | None = None, province_code: str | None = None) -> str:
    """The 10-digit 学校标识码 of a higher-education institution, ``CC PP 0 NNNNN``.

    Cross-checked against the 5-digit school code and the province when given."""
    value = (raw or "").strip()
    m = INSTITUTION_ID_RE.match(value)
    if not m:
        raise CodeError(
            CodeErrorCode.INSTITUTION_ID,
            _("The institution identifier must be 10 digits: 41 or 42, a province code, 0, then the school code."),
            {"value": value},
        )
    _category, prov, school = m.groups()
    if prov not in PROVINCES:
        raise CodeError(CodeErrorCode.INSTITUTION_ID, _("The institution identifier names an unknown province."))
    if institution_code is not None and school != institution_code:
        raise CodeError(
            CodeErrorCode.INSTITUTION_ID_MISMATCH,
            _("The institution identifier does not end with the school code."),
            {"institution_code": institution_code},
        )
    if province_code is not None and prov != province_code[:2]:
        raise CodeError(
            CodeErrorCode.INSTITUTION_ID_MISMATCH,
            _("The institution identifier's province does not match the university's province."),
            {"province_code": province_code},
        )
    return value


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def validate_uscc(raw: str) -> str:
    """GB 32100 unified social credit code: 18 characters, mod-31 check character."""
    value = (raw or "").strip().upper()
    if not USCC_RE.match(value):
        raise CodeError(
            CodeErrorCode.USCC_FORMAT,
            _("The unified social credit code must have 18 characters (digits and letters other than I, O, S, V, Z)."),
        )
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(value[:17], USCC_WEIGHTS, strict=True))
    if USCC_ALPHABET[(31 - total % 31) % 31] != value[17]:
        raise CodeError(CodeErrorCode.USCC_CHECKSUM, _("The unified social credit code's check character is wrong."))
    return value


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


PROGRAMME_CODE_RE = re.compile(r"^(0[1-9]|1[0-4])\d{4}[TK]?$")
VOCATIONAL_CODE_RE = re.compile(r"^(2\d|3\d|4\d|5\d|6\d|7\d)\d{4}$")


def validate_programme_code(raw: str) -> str:
    """Undergraduate catalogue code ``DDCCNN[T|K]`` (e.g. 080901, 100201K)."""
    value = (raw or "").strip().upper()
    if not PROGRAMME_CODE_RE.match(value):
        raise CodeError(
            CodeErrorCode.PROGRAMME_CODE,
            _("An undergraduate programme code has 6 digits (discipline 01-14) and an optional T or K."),
            {"value": value},
        )
    return value


def validate_vocational_code(raw: str) -> str:
    """Vocational catalogue code (2021): 6 digits; 高职专科 groups 41-59."""
    value = (raw or "").strip()
    if not VOCATIONAL_CODE_RE.match(value):
        raise CodeError(CodeErrorCode.VOCATIONAL_CODE, _("A vocational programme code has 6 digits."), {"value": value})
    return value


def validate_catalogue_code(raw: str, *, level: str) -> str:
    """A major's catalogue code for its level: associate majors use the vocational catalogue."""
    if level == "HS_TO_ASSOCIATE":
        return validate_vocational_code(raw)
    return validate_programme_code(raw)


@dataclass(frozen=True)
class GraduationCertNo:
    number: str
    institution_code: str
    provision_type: str  # 1 ordinary, 5 adult, 6 self-study, 7 online
    year: int
    award_level: str  # 01 doctor ... 05 bachelor, 06 associate
    sequence: str


GRAD_CERT_RE = re.compile(r"^(\d{5})([1567])(\d{4})(0[12456])(\d{6})$")


def validate_graduation_cert_no(raw: str) -> GraduationCertNo:
    value = (raw or "").strip()
    m = GRAD_CERT_RE.match(value)
    if not m:
        raise CodeError(
            CodeErrorCode.GRADUATION_CERT_NO,
            _("A graduation certificate number has 18 digits: school code, provision type, year, level, sequence."),
        )
    school, ptype, year, level, seq = m.groups()
    return GraduationCertNo(value, school, ptype, int(year), level, seq)


DEGREE_CERT_RE = re.compile(r"^([A-Z]?)(\d{5})([234])(\d{4})([0-9A-Z]\d{5})$")


@dataclass(frozen=True)
class DegreeCertNo:
    number: str
    prefix: str
    institution_code: str
    level: str  # 2 doctor, 3 master, 4 bachelor
    year: int
    sequence: str


def validate_degree_cert_no(raw: str) -> DegreeCertNo:
    value = (raw or "").strip().upper()
    m = DEGREE_CERT_RE.match(value)
    if not m:
        raise CodeError(
            CodeErrorCode.DEGREE_CERT_NO,
            _(
                "A degree certificate number has 16 characters (17 with a prefix): unit code, level, year, sequence."
            ),
        )
    prefix, school, level, year, seq = m.groups()
    return DegreeCertNo(value, prefix, school, level, int(year), seq)
