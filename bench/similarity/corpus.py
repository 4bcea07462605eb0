"""A reproducible Chinese + English corpus with planted reuse cases of known offsets.

All text is generated here: word banks written for this benchmark (terms of online
education, each with a synonym for disguises) mixed with the general word lists that the
Faker package ships (MIT), strung into random sentences.  Each
pair has a suspicious and a source document; planted cases are one of

- ``verbatim``: copied as is;
- ``light``: about 20 % of the words replaced by a synonym, a few words inserted or dropped;
- ``heavy``: about 50 % replaced, 15 % inserted or dropped, clauses swapped, sentences merged;
- ``reorder``: the copied sentences shuffled;
- ``multi``: a passage stitched from three sources (three pairs, one case each);
- ``negative``: nothing copied, but both documents share stock phrases.

    .venv/bin/python bench/similarity/corpus.py OUT_DIR [--pairs-per-type 40] [--seed 1]
    .venv/bin/python bench/similarity/evaluate.py OUT_DIR

OUT_DIR gets ``susp/``, ``src/``, ``pairs``, one PAN truth XML per pair, and ``types.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from xml.sax.saxutils import quoteattr

# ------------------------------------------------------------------ word banks
# (word, synonym) pairs; the synonym is what a disguise substitutes
ZH_NOUNS = [("研究", "探究"), ("方法", "途径"), ("系统", "体系"), ("模型", "模式"), ("数据", "资料"), ("教学", "授课"),
            ("质量", "品质"), ("学生", "学员"), ("课程", "科目"), ("网络", "互联网"),
            ("平台", "载体"), ("资源", "素材"),
            ("评价", "评估"), ("管理", "治理"), ("机制", "制度"), ("过程", "进程"), ("结果", "成果"), ("问题", "难题"),
            ("策略", "对策"), ("教师", "老师"), ("学校", "院校"), ("能力", "水平"), ("目标", "目的"), ("影响", "作用"),
            ("发展", "进步"), ("环境", "氛围"), ("技术", "技能"), ("内容", "内涵"), ("手段", "方式"), ("效果", "成效"),
            ("需求", "需要"), ("特点", "特征"), ("现状", "状况"), ("原因", "缘由"), ("措施", "举措"), ("经验", "心得"),
            ("理论", "学说"), ("实践", "实际"), ("信息", "讯息"), ("知识", "学识"), ("考试", "考核"),
            ("学习中心", "教学点"),
            ("监督", "监管"), ("标准", "规范"), ("规模", "体量"), ("投入", "投资"), ("服务", "支持"), ("思路", "想法")]
ZH_VERBS = [("提高", "提升"), ("分析", "剖析"), ("促进", "推动"), ("建立", "构建"), ("加强", "强化"), ("完善", "健全"),
            ("探讨", "讨论"), ("解决", "处理"), ("实现", "达成"), ("保障", "保证"), ("改进", "改善"), ("优化", "改良"),
            ("利用", "运用"), ("开展", "进行"), ("推进", "推行"), ("明确", "厘清"), ("关注", "重视"), ("总结", "归纳"),
            ("考察", "调查"), ("设计", "规划"), ("支持", "支撑"), ("影响", "左右"), ("体现", "反映"), ("评价", "衡量")]
ZH_ADJS = [("重要", "关键"), ("有效", "有力"), ("显著", "明显"), ("主要", "首要"), ("合理", "恰当"), ("复杂", "繁杂"),
           ("系统", "全面"), ("深入", "深刻"), ("良好", "优良"), ("持续", "不断"), ("新型", "新式"), ("传统", "以往"),
           ("科学", "严谨"), ("稳定", "平稳"), ("多样", "丰富"), ("具体", "详细")]
ZH_ADVS = ["因此", "同时", "此外", "然而", "首先", "其次", "最后", "总之", "另外", "进一步", "在此基础上", "与此相对"]
ZH_GLUE = ["的", "了", "在", "和", "对", "把", "被", "与", "是", "中", "将", "并", "也", "都", "要", "从", "为", "以"]
ZH_STOCK = ["本文的研究结果表明", "综上所述", "根据有关规定", "如下表所示", "在一定程度上", "随着信息技术的发展"]

EN_NOUNS = [("study", "investigation"), ("method", "approach"), ("system", "framework"), ("model", "scheme"),
            ("data", "evidence"), ("teaching", "instruction"), ("quality", "standard"), ("student", "learner"),
            ("course", "module"), ("network", "web"), ("platform", "environment"), ("resource", "material"),
            ("assessment", "evaluation"), ("management", "administration"), ("mechanism", "procedure"),
            ("process", "procedure"), ("result", "outcome"), ("problem", "issue"), ("strategy", "policy"),
            ("teacher", "tutor"), ("university", "institution"), ("ability", "capacity"), ("goal", "aim"),
            ("effect", "impact"), ("development", "growth"), ("technology", "technique"), ("content", "material"),
            ("feedback", "response"), ("performance", "achievement"), ("curriculum", "syllabus"),
            ("centre", "site"), ("supervision", "oversight"), ("examination", "exam"), ("policy", "rule"),
            ("participation", "engagement"), ("workload", "burden"), ("motivation", "drive"), ("analysis", "review")]
EN_VERBS = [("improve", "enhance"), ("analyse", "examine"), ("promote", "foster"), ("establish", "build"),
            ("strengthen", "reinforce"), ("explore", "investigate"), ("solve", "resolve"), ("achieve", "attain"),
            ("ensure", "guarantee"), ("optimise", "refine"), ("use", "employ"), ("support", "sustain"),
            ("affect", "influence"), ("reflect", "mirror"), ("measure", "gauge"), ("reduce", "lower"),
            ("increase", "raise"), ("describe", "outline"), ("compare", "contrast"), ("require", "need")]
EN_ADJS = [("important", "significant"), ("effective", "efficient"), ("clear", "evident"), ("main", "principal"),
           ("reasonable", "sensible"), ("complex", "complicated"), ("systematic", "thorough"), ("deep", "profound"),
           ("good", "favourable"), ("continuous", "ongoing"), ("new", "novel"), ("traditional", "conventional"),
           ("stable", "steady"), ("diverse", "varied"), ("specific", "particular"), ("online", "remote")]
EN_ADVS = ["therefore", "moreover", "however", "first", "second", "finally", "in addition", "as a result",
           "in contrast", "on this basis"]
EN_GLUE = ["the", "of", "and", "to", "in", "is", "that", "for", "with", "as", "by", "on", "which", "this", "are", "its"]
EN_STOCK = ["in accordance with the relevant regulations", "as shown in the table below",
            "the results are summarised as follows", "on the other hand", "in this thesis we"]


ZH_MODS = ["网络", "远程", "在线", "继续", "成人", "高等", "职业", "开放", "混合式", "移动", "数字化", "个性化", "区域",
           "省级", "校外", "线上", "线下", "自主", "协作", "实践", "专业", "基础", "公共", "课外", "校企",
           "跨省", "农村",
           "城市", "社区", "行业", "国际", "本科", "专科", "研究生", "毕业", "入学", "学籍", "学分", "学位", "财务"]
EN_MODS = ["online", "distance", "continuing", "adult", "higher", "vocational", "open", "blended", "mobile", "digital",
           "personal", "regional", "provincial", "offsite", "campus", "peer", "field", "core", "public", "rural",
           "urban", "community", "industry", "international", "undergraduate", "graduate", "entrance", "credit",
           "degree", "finance", "library", "laboratory", "language", "mathematics", "nursing", "law", "tourism",
           "logistics", "accounting", "software"]


class Vocab:
    """A document's own vocabulary: a topic subset of modifiers, compounded with head nouns."""

    def __init__(self, rnd, lang):
        mods = ZH_MODS if lang == "zh" else EN_MODS
        self.mods = rnd.sample(mods, 8)
        self.lang = lang

    def noun(self, rnd, bank):
        head = rnd.choice(bank)[0]
        if rnd.random() < 0.6:
            m = rnd.choice(self.mods)
            return m + head if self.lang == "zh" else f"{m} {head}"
        return head


def _general(lang: str) -> tuple[str, ...]:
    """General vocabulary: the word lists that the Faker package ships for its lorem text."""
    if lang == "zh":
        from faker.providers.lorem.zh_CN import Provider
    else:
        from faker.providers.lorem.en_US import Provider
    return tuple(Provider.word_list)


def _pick(rnd, bank):
    return rnd.choice(bank)[0]


def _words(rnd: random.Random, vocab: Vocab, nouns, verbs, adjs, glue) -> list[str]:
    """A random phrase sequence: noun phrases, verbs and adjectives held together by function words."""
    out = []
    general = _general(vocab.lang)
    for _ in range(rnd.randint(4, 9)):
        r = rnd.random()
        if r < 0.45:
            out.append(rnd.choice(general))
        elif r < 0.7:
            out.append(vocab.noun(rnd, nouns))
        elif r < 0.85:
            out.append(_pick(rnd, verbs))
        else:
            out.append(_pick(rnd, adjs))
        if rnd.random() < 0.7:
            out.append(rnd.choice(glue))
    return out


def zh_sentence(rnd: random.Random, stock: bool = False, vocab: Vocab | None = None) -> str:
    vocab = vocab or Vocab(rnd, "zh")
    w = _words(rnd, vocab, ZH_NOUNS, ZH_VERBS, ZH_ADJS, ZH_GLUE)
    if len(w) > 6 and rnd.random() < 0.6:
        w.insert(rnd.randint(3, len(w) - 2), "，")
    s = "".join(w)
    if rnd.random() < 0.3:
        s = rnd.choice(ZH_ADVS) + "，" + s
    if stock:
        s = rnd.choice(ZH_STOCK) + "，" + s
    return s + rnd.choice("。。。；")


def en_sentence(rnd: random.Random, stock: bool = False, vocab: Vocab | None = None) -> str:
    vocab = vocab or Vocab(rnd, "en")
    w = _words(rnd, vocab, EN_NOUNS, EN_VERBS, EN_ADJS, EN_GLUE)
    if len(w) > 6 and rnd.random() < 0.6:
        k = rnd.randint(3, len(w) - 2)
        w[k] = w[k] + ","
    s = " ".join(w)
    if rnd.random() < 0.3:
        s = rnd.choice(EN_ADVS) + ", " + s
    if stock:
        s = rnd.choice(EN_STOCK) + ", " + s
    return s[0].upper() + s[1:] + "."


def sentences(rnd: random.Random, lang: str, n: int, stock: float = 0.1, vocab: Vocab | None = None) -> list[str]:
    f = zh_sentence if lang == "zh" else en_sentence
    vocab = vocab or Vocab(rnd, lang)
    return [f(rnd, rnd.random() < stock, vocab) for _ in range(n)]


def join(lang: str, sents: list[str]) -> str:
    return ("" if lang == "zh" else " ").join(sents)


def filler(rnd: random.Random, lang: str, chars: int, stock: float = 0.1) -> str:
    paras, n = [], 0
    vocab = Vocab(rnd, lang)
    while n < chars:
        p = join(lang, sentences(rnd, lang, rnd.randint(3, 6), stock, vocab))
        paras.append(p)
        n += len(p) + 1
    return "\n".join(paras) + "\n"


# ------------------------------------------------------------------ disguise

_ZH_SYN = {a: b for bank in (ZH_NOUNS, ZH_VERBS, ZH_ADJS) for a, b in bank}
_EN_SYN = {a: b for bank in (EN_NOUNS, EN_VERBS, EN_ADJS) for a, b in bank}
ZH_FILL = ["的确", "显然", "实际上", "一般来说", "在很大程度上", "客观地说"]
EN_FILL = ["indeed", "clearly", "in fact", "generally", "to a large extent", "objectively"]


def _disguise_zh(rnd, s: str, sub: float, ins: float) -> str:
    out = s
    for a, b in _ZH_SYN.items():
        if a in out and rnd.random() < sub:
            out = out.replace(a, b, 1)
    parts = out.split("，")
    if rnd.random() < ins and len(parts) > 1:
        parts.insert(rnd.randrange(len(parts)), rnd.choice(ZH_FILL))
    if rnd.random() < ins and len(parts) > 2:
        parts.pop(rnd.randrange(1, len(parts)))
    return "，".join(parts)


def _disguise_en(rnd, s: str, sub: float, ins: float) -> str:
    words = s.split(" ")
    out = []
    for w in words:
        core = w.rstrip(".,;").lower()
        tail = w[len(w.rstrip(".,;")) :]
        if core in _EN_SYN and rnd.random() < sub:
            rep = _EN_SYN[core]
            out.append((rep.capitalize() if w[:1].isupper() else rep) + tail)
        elif rnd.random() < ins / 3:
            continue
        else:
            out.append(w)
        if rnd.random() < ins / 3:
            out.append(rnd.choice(EN_FILL))
    return " ".join(out)


def disguise(rnd: random.Random, lang: str, sents: list[str], level: str) -> list[str]:
    sub, ins = (0.2, 0.15) if level == "light" else (0.5, 0.45)
    f = _disguise_zh if lang == "zh" else _disguise_en
    out = [f(rnd, s, sub, ins) for s in sents]
    if level == "heavy":
        # swap clauses, then merge neighbouring sentences
        sep = "，" if lang == "zh" else ", "
        sw = []
        for s in out:
            end = s[-1] if s[-1] in "。；." else ""
            parts = s[: len(s) - len(end)].split(sep)
            if len(parts) > 1 and rnd.random() < 0.5:
                parts = parts[1:] + parts[:1]
                if lang == "en":
                    parts = [parts[0][:1].upper() + parts[0][1:]] + [p[:1].lower() + p[1:] for p in parts[1:]]
            sw.append(sep.join(parts) + end)
        out, i = [], 0
        while i < len(sw):
            if i + 1 < len(sw) and rnd.random() < 0.3:
                a, b = sw[i], sw[i + 1]
                joiner = "，并且" if lang == "zh" else ", and "
                out.append(a[:-1] + joiner + (b if lang == "zh" else b[:1].lower() + b[1:]))
                i += 2
            else:
                out.append(sw[i])
                i += 1
    return out


# ------------------------------------------------------------------ building pairs


def build(out: str, per_type: int, seed: int) -> None:
    rnd = random.Random(seed)
    for d in ("susp", "src"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    pairs: list[tuple[str, str]] = []
    types: dict[str, str] = {}
    truth: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
    k = 0

    def names():
        nonlocal k
        k += 1
        return f"suspicious-document{k:05d}.txt", f"source-document{k:05d}.txt"

    def write(d, name, text):
        with open(os.path.join(out, d, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)

    for kind in ("verbatim", "light", "heavy", "reorder"):
        for i in range(per_type):
            lang = "zh" if i % 2 == 0 else "en"
            S, R = names()
            n = rnd.randint(5, 12)
            orig = sentences(rnd, lang, n, stock=0.05)
            if kind == "verbatim":
                copied = orig
            elif kind == "reorder":
                copied = orig[:]
                while copied == orig:
                    rnd.shuffle(copied)
            else:
                copied = disguise(rnd, lang, orig, kind)
            src_pre, src_post = filler(rnd, lang, rnd.randint(1500, 4000)), filler(rnd, lang, 1500)
            sus_pre, sus_post = filler(rnd, lang, rnd.randint(1500, 4000)), filler(rnd, lang, 1500)
            o, c = join(lang, orig), join(lang, copied)
            write("src", R, src_pre + o + "\n" + src_post)
            write("susp", S, sus_pre + c + "\n" + sus_post)
            truth[(S, R)] = [(len(sus_pre), len(c), len(src_pre), len(o))]
            pairs.append((S, R))
            types[f"{S} {R}"] = kind
    for i in range(per_type // 2 or 1):
        # one suspicious document stitched from three sources
        lang = "zh" if i % 2 == 0 else "en"
        S = names()[0]
        parts, cases = [filler(rnd, lang, 1500)], []
        for _ in range(3):
            R = names()[1]
            orig = join(lang, sentences(rnd, lang, rnd.randint(4, 8), stock=0.05))
            pre = filler(rnd, lang, rnd.randint(800, 2500))
            write("src", R, pre + orig + "\n" + filler(rnd, lang, 800))
            at = len("".join(parts))
            parts += [orig, "\n" + filler(rnd, lang, rnd.randint(300, 900))]
            cases.append((R, (at, len(orig), len(pre), len(orig))))
        write("susp", S, "".join(parts))
        for R, case in cases:
            truth[(S, R)] = [case]
            pairs.append((S, R))
            types[f"{S} {R}"] = "multi"
    for i in range(per_type):
        lang = "zh" if i % 2 == 0 else "en"
        S, R = names()
        write("susp", S, filler(rnd, lang, 6000, stock=0.5))
        write("src", R, filler(rnd, lang, 6000, stock=0.5))
        truth[(S, R)] = []
        pairs.append((S, R))
        types[f"{S} {R}"] = "negative"
    with open(os.path.join(out, "pairs"), "w") as f:
        f.write("".join(f"{S} {R}\n" for S, R in pairs))
    for (S, R), cases in truth.items():
        lines = [f"<document reference={quoteattr(S)}>"]
        for t0, tl, s0, sl in cases:
            lines.append(f'<feature name="plagiarism" this_offset="{t0}" this_length="{tl}" '
                         f'source_reference={quoteattr(R)} source_offset="{s0}" source_length="{sl}"/>')
        lines.append("</document>\n")
        with open(os.path.join(out, f"{S[:-4]}-{R[:-4]}.xml"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    with open(os.path.join(out, "types.json"), "w") as f:
        json.dump(types, f, indent=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--pairs-per-type", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    build(a.out, a.pairs_per_type, a.seed)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
