"""A self-contained HTML report: ratios, a per-chapter bar chart, the text with matched
passages coloured by source, and the source list.  No script, no external resource."""

from __future__ import annotations

from html import escape

from .extract import Document

PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
           "#800000", "#469990", "#808000", "#000075"]

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0 auto;max-width:60rem;
padding:1rem;color:#222;line-height:1.6}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
.ratios{display:flex;gap:1rem;flex-wrap:wrap}.ratio{border:1px solid #ccc;border-radius:.4rem;padding:.5rem 1rem}
.ratio b{font-size:1.6rem;display:block}
.text{white-space:pre-wrap;word-break:break-word;border:1px solid #ddd;padding:1rem;font-size:.95rem}
mark{padding:0 .05rem;border-radius:.15rem}.excluded{color:#888}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}
.sw{display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;vertical-align:middle}
"""


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _chart(chapters: list[dict]) -> str:
    if not chapters:
        return ""
    row, label_w, bar_w = 24, 260, 360
    h = row * len(chapters) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" height="{h}" '
             f'role="img" aria-label="copy ratio per chapter">']
    for i, c in enumerate(chapters):
        y = 5 + i * row
        w = round(bar_w * c["copy_ratio"], 1)
        colour = "#d62728" if c["copy_ratio"] >= 0.3 else "#ff9f0e" if c["copy_ratio"] >= 0.1 else "#2ca02c"
        title = c["title"] if len(c["title"]) <= 28 else c["title"][:27] + "…"
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(title)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="#eee"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="16" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="13">{_pct(c["copy_ratio"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(doc: Document, rep: dict) -> str:
    colours = {s["source_id"]: PALETTE[i % len(PALETTE)] for i, s in enumerate(rep["sources"])}
    text = doc.text
    # the first (best) passage covering a character decides its colour
    owner: list[str | None] = [None] * len(text)
    for p in sorted(rep["passages"], key=lambda p: -p["score"]):
        for i in range(p["this_offset"], p["this_offset"] + p["this_length"]):
            if owner[i] is None:
                owner[i] = p["source_id"]
    excluded = [False] * len(text)
    for s in doc.sections:
        if s.kind != "body":
            for i in range(s.start, s.end):
                excluded[i] = True
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i] and excluded[j] == excluded[i]:
            j += 1
        chunk = escape(text[i:j])
        if owner[i] is not None:
            c = colours.get(owner[i], "#999")
            style = f"background:{c}33;border-bottom:2px solid {c}"
            chunk = f'<mark style="{style}" title="{escape(owner[i])}">{chunk}</mark>'
        if excluded[i]:
            chunk = f'<span class="excluded">{chunk}</span>'
        out.append(chunk)
        i = j
    ratios = [("全文文字复制比 Copy ratio", rep["copy_ratio"]),
              ("去除引用文献复制比 Without cited text", rep["ratio_without_cited"]),
              ("去除本人已发表文献复制比 Without own work", rep["ratio_without_own"])]
    src_rows = "".join(
        f'<tr><td><span class="sw" style="background:{colours[s["source_id"]]}"></span></td>'
        f'<td>{escape(s["source_id"])}</td><td>{escape(s["author"] or "")}</td><td>{s["passages"]}</td>'
        f'<td>{s["matched_characters"]}</td><td>{_pct(s["ratio"])}</td></tr>'
        for s in rep["sources"]
    )
    return f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>查重报告 Similarity report — {escape(rep["file"])}</title><style>{CSS}</style></head><body>
<h1>查重报告 Similarity report</h1>
<p>{escape(rep["file"])} · {rep["counted_characters"]} counted characters · {len(rep["passages"])} passages from
{len(rep["sources"])} sources</p>
<div class="ratios">{"".join(f'<div class="ratio">{escape(k)}<b>{_pct(v)}</b></div>' for k, v in ratios)}</div>
<h2>各章复制比 Per chapter</h2>{_chart(rep["chapters"])}
<h2>来源 Sources</h2>
<table><thead><tr><th></th><th>Source</th><th>Author</th><th>Passages</th><th>Characters</th><th>Ratio</th></tr></thead>
<tbody>{src_rows or '<tr><td colspan="6">None</td></tr>'}</tbody></table>
<h2>全文 Text</h2><p class="excluded">Grey text (cover, abstract, contents, references, acknowledgements) is
not counted.</p>
<div class="text">{"".join(out)}</div>
</body></html>
"""
