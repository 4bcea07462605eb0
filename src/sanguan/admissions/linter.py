"""The publicity linter: forbidden and misleading claims, and the facts an advertisement
must state (regulatory brief b10; 2019 notice Art. 3; the five-ministry advertising notice
of 2021-10).

The lists below are the maintained, documented rule set: each entry names its source.
``verbatim`` phrases are quoted from the 2021 notice; ``heuristic`` patterns are ours.

Text is normalised before matching so that spacing, full-width forms, punctuation
inserted between characters and traditional characters do not hide a claim: NFKC, then
traditional to simplified (OpenCC t2s), then everything but letters and digits removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Rule:
    code: str
    pattern: str  # a regular expression over normalised text
    explanation: str  # Chinese, shown to the submitter and the reviewer
    source: str


@dataclass(frozen=True)
class Hit:
    code: str
    matched: str
    explanation: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


S2021 = "2021-10 五部门《关于加强高等学历继续教育广告发布管理的通知》 (verbatim)"
HEUR = "Sanguan heuristic (brief b10 suggested patterns)"
N2019 = "教职成厅〔2019〕8号 第3条"
N2021 = "教职成厅函〔2021〕23号"

FORBIDDEN: tuple[Rule, ...] = (
    Rule("FAST_CERTIFICATE", "快速取证", "承诺“快速取证”：广告不得对取得学历证书作出保证性承诺。", S2021),
    Rule("NO_EXAM_GUARANTEED", "免考包过", "承诺“免考包过”：不得承诺免于考试或保证通过。", S2021),
    Rule("REFUND_IF_FAIL", "考不过退款|不过退款|不通过退款|包退", "承诺“考不过退款”：不得以退费担保考试结果。", S2021),
    Rule("NO_STUDY", "无需学习|无需学|不用学|不需要学", "宣称“无需学习”：学历继续教育必须完成规定的学习。", S2021),
    Rule("NO_CLASSES", "无需上课|不用上课|不需要上课|免上课", "宣称“无需上课”：须按人才培养方案参加教学活动。", S2021),
    Rule("GUARANTEED_PASS", "包过|保过|包通过|保证通过|100%通过|百分百通过|稳过",
         "保证通过考试：考试结果不得作任何保证。", HEUR),
    Rule("NO_ENTRANCE_EXAM", "免试入学|免试录取|不用考试|无需考试|免考入学|不考试",
         "宣称免试入学：学历继续教育须通过入学考试（成人高考）录取。", HEUR),
    Rule("GUARANTEED_CERTIFICATE", "包拿证|保拿证|包拿毕业证|直接拿证|稳拿证|保证拿证|零基础包拿证|包毕业|保毕业",
         "保证取得证书：毕业证书须达到毕业要求方可获得。", HEUR),
    Rule("INSIDE_QUOTA", "内部指标|内部名额|特殊渠道|关系录取",
         "宣称“内部指标”等特殊渠道：录取只由高校依章程决定。", HEUR),
    Rule("SHORT_STUDY",
         r"(?:[0-9]+|[一二两三四五六七八九十半])(?:个)?(?:月|周|天)(?:即可|就能|就可|可|即|就)?(?:拿证|取证|毕业|拿到毕业证|领证)"
         r"|(?:半|一|1)年(?:即可|就能|就可|可|即|就)?(?:拿证|取证|毕业|领证)",
         "承诺极短学习期限即可毕业或取证：不得短于最低修业年限。", HEUR),
    Rule("DISGUISED_AD", "学历提升服务|教育咨询服务", "以“教育咨询/学历提升服务”名义变相发布学历教育广告。", S2021),
    Rule("BLURRED_INSTITUTION", "专修学院|研修学院|技师学院",
         "可能混淆非学历机构与颁发学历证书的高校：须写明主办高校。", S2021),
    Rule("AGENT_FEES", "代收学费|代缴学费|交给我们|交到本机构|向本中心缴费|本中心收费",
         "由中介、机构或个人代收学费：学费只能缴入高校账户。", N2019),
    Rule("DEGREE_CLASS", "研究生班|硕士班|博士班|总裁班|领袖班", "非学历培训不得使用学位或“总裁/领袖”等名称。", N2021),
)

REQUIRED_FACTS: tuple[Rule, ...] = (
    Rule("ADMISSION_REQUIREMENTS", "入学条件|报名条件|招生对象|报考条件", "缺少“入学条件”。", S2021),
    Rule("MIN_STUDY_YEARS", "最低修业年限|修业年限|学制", "缺少“最低修业年限”。", S2021),
    Rule("FEES_AND_PAYMENT", "学费.{0,40}(?:缴|交|收取|账户)|(?:缴|交|收取).{0,40}学费",
         "缺少“学费标准及收取方式”。", S2021),
    Rule("HOW_TO_APPLY", "报名途径|报名方式|报名渠道|报名地点|报名流程", "缺少“报名途径”。", S2021),
    Rule("ADMISSIONS_WEBSITE", "招生网站|招生网|官网|网址|https?|www", "缺少“招生网站地址”。", S2021),
    Rule("CERTIFICATE_CONDITIONS", "毕业条件|毕业要求|证书.{0,20}条件|条件.{0,20}证书|颁发.{0,10}证书",
         "缺少“毕业证书/学位证书获取条件”。", S2021),
)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


_KEEP = re.compile(r"[^0-9a-z%\u4e00-\u9fff]+")


def normalise(text: str) -> str:
    """NFKC, lower case, traditional to simplified, then letters, digits and % only."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _t2s().convert(text)
    return _KEEP.sub("", text)


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def scan(*parts: str) -> tuple[list[Hit], list[Hit]]:
    """``(hits, missing)``: forbidden claims found in the text, and required facts not stated."""
    text = normalise("\n".join(p for p in parts if p))
    hits: list[Hit] = []
    for rule in FORBIDDEN:
        for m in _compiled(rule.pattern).finditer(text):
            hits.append(Hit(rule.code, m.group(0), rule.explanation, rule.source))
    missing = [Hit(rule.code, "", rule.explanation, rule.source)
               for rule in REQUIRED_FACTS if not _compiled(rule.pattern).search(text)]
    return hits, missing
