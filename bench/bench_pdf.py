"""Benchmark of PDF rendering with the print base (templates/pdf/base.html + print.css).

Renders a realistic 2-page A4-landscape document — a 第6表-style monthly grid (8 services ×
予定/実績 × 31 day columns) plus a 第7表-style table — 20 times in one process and prints
the median seconds per document, PDF size and peak RSS. Then renders it once more with
WeasyPrint forced onto fontTools subsetting (by hiding libharfbuzz-subset inside WeasyPrint,
the same code path as a machine without libharfbuzz-subset0) to show the harfbuzz ratio.
Then the same document for a client named 𠮷田 (CJK Ext-B, not in IPAex): the fallback font
IPAmj明朝 is embedded only then, so the ordinary case shows whether the fallback costs anything
and the 𠮷 case what it costs when used.
Prints figures; asserts nothing (QUALITY §3.2: ~0.7 s with hb-subset, ~13 s without).

    python bench/bench_pdf.py [--runs N] [--skip-fonttools]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")

SERVICES = [
    ("訪問介護", "身体介護2", "ヘルパーステーションあおば", "0900", "0945"),
    ("訪問介護", "生活援助3", "ヘルパーステーションあおば", "1400", "1445"),
    ("通所介護", "通所介護Ⅱ32", "デイサービスひまわり", "0930", "1630"),
    ("通所介護", "入浴介助加算Ⅰ", "デイサービスひまわり", "0930", "1630"),
    ("訪問看護", "訪看Ⅰ2", "訪問看護ステーションみどり", "1000", "1030"),
    ("福祉用具貸与", "車いす貸与", "福祉用具センターさくら", "", ""),
    ("福祉用具貸与", "特殊寝台貸与", "福祉用具センターさくら", "", ""),
    ("短期入所生活介護", "単独型短期生活Ⅰ3", "ショートステイ髙﨑", "", ""),
]
WEEKDAYS = "月火水木金土日"


def grid_document(client_name: str = "髙橋 﨑子") -> str:
    from django.template import engines

    days = range(1, 32)
    head = "".join(f"<th class='day'>{d}<br>{WEEKDAYS[(d + 1) % 7]}</th>" for d in days)
    body = []
    for index, (kind, name, office, start, end) in enumerate(SERVICES):
        for plan_or_result in ("予定", "実績"):
            marks = "".join(
                f"<td class='day'>{'1' if (d + index) % 3 == 0 else ''}</td>" for d in days
            )
            total = sum(1 for d in days if (d + index) % 3 == 0)
            first = (
                f"<td rowspan='2'>{start}<br>{end}</td><td rowspan='2'>{kind}<br>{name}</td>"
                f"<td rowspan='2' class='small'>{office}</td>"
                if plan_or_result == "予定"
                else ""
            )
            body.append(
                f"<tr>{first}<td class='day'>{plan_or_result}</td>{marks}"
                f"<td class='number'>{total}</td></tr>"
            )
    cols = (
        "<col style='width:6%'><col style='width:12%'><col style='width:11%'>"
        "<col style='width:3.5%'>" + "<col>" * 31 + "<col style='width:3%'>"
    )
    table7_rows = "".join(
        f"<tr><td class='small'>{office}</td><td class='small'>{name}</td><td>11{i:04d}</td>"
        f"<td class='number'>{420 + i * 37}</td><td class='number'>{8 + i}</td>"
        f"<td class='number'>{(420 + i * 37) * (8 + i):,}</td><td class='number'>11.40</td>"
        f"<td class='number'>{int((420 + i * 37) * (8 + i) * 11.4):,}</td><td class='number'>90</td>"
        f"<td class='number'>{int((420 + i * 37) * (8 + i) * 11.4 * 0.1):,}</td></tr>"
        for i, (_, name, office, _, _) in enumerate(SERVICES)
    )
    source = (
        '{% extends "pdf/base.html" %}{% block content %}'
        "<h1>サービス利用票(兼居宅サービス計画) 令和8年4月分</h1>"
        "<table class='grid'><colgroup>" + cols + "</colgroup><thead><tr><th>提供時間帯</th>"
        "<th>サービス内容</th><th>事業所</th><th></th>" + head + "<th>計</th></tr></thead>"
        "<tbody>" + "".join(body) + "</tbody></table>"
        "<h1 class='page-break'>サービス利用票別表 区分支給限度管理・利用者負担計算</h1>"
        "<table><colgroup><col style='width:17%'><col style='width:14%'><col style='width:8%'>"
        "<col style='width:7%'><col style='width:6%'><col style='width:10%'><col style='width:7%'>"
        "<col style='width:12%'><col style='width:7%'><col style='width:12%'></colgroup>"
        "<thead><tr><th>事業所名</th><th>サービス内容</th><th>コード</th><th>単位数</th>"
        "<th>回数</th><th>サービス単位</th><th>単価</th><th>費用総額</th><th>給付率</th>"
        "<th>利用者負担</th></tr></thead><tbody>" + table7_rows + "</tbody></table>"
        "{% endblock %}"
    )
    return (
        engines["django"]
        .from_string(source)
        .render(
            {
                "document_title": "第6表・第7表",
                "client_name": client_name,
                "office_name": "さくら居宅介護支援センター",
                "printed_on": dt.date(2026, 4, 2),
            }
        )
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-fonttools", action="store_true")
    parser.add_argument("--skip-fallback", action="store_true", help="skip the 𠮷 case")
    args = parser.parse_args()

    import django

    django.setup()
    from caremgmt.printing.rendering import render_pdf

    html = grid_document()
    started = time.perf_counter()
    first = render_pdf(html)
    first_seconds = time.perf_counter() - started
    timings, cpu_timings = [], []
    for _ in range(args.runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        rendered = render_pdf(html)
        timings.append(time.perf_counter() - started)
        cpu_timings.append(time.process_time() - cpu_started)
    median = statistics.median(timings)
    print(f"document: {len(html):,} bytes of HTML, {rendered.page_count} pages (A4 landscape)")
    print(f"first render (imports, font load): {first_seconds:.2f} s")
    print(
        f"harfbuzz-subset: median {median:.3f} s/document over {args.runs} "
        f"(min {min(timings):.3f}, max {max(timings):.3f}); "
        f"CPU median {statistics.median(cpu_timings):.3f} s (wall time suffers on a busy machine)"
    )
    print(f"PDF size: {len(rendered.data) / 1024:.0f} KB; peak RSS so far: {peak_rss_mb():.0f} MB")
    assert first.page_count == rendered.page_count  # same document each time
    from caremgmt.printing.pdftext import pdf_font_names

    print(f"fonts embedded: {', '.join(sorted(pdf_font_names(rendered.data)))}")

    if not args.skip_fallback:
        rare_html = grid_document("𠮷田 﨑子")
        rare_timings, rare_cpu = [], []
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            rare = render_pdf(rare_html)
            rare_timings.append(time.perf_counter() - started)
            rare_cpu.append(time.process_time() - cpu_started)
        rare_median = statistics.median(rare_timings)
        print(
            f"with 𠮷 (fallback font): median {rare_median:.3f} s/document over {args.runs} "
            f"(min {min(rare_timings):.3f}, max {max(rare_timings):.3f}); "
            f"CPU median {statistics.median(rare_cpu):.3f} s; "
            f"{len(rare.data) / 1024:.0f} KB; fonts embedded: "
            f"{', '.join(sorted(pdf_font_names(rare.data)))}"
        )

    if args.skip_fonttools:
        return
    import weasyprint.pdf.fonts as weasyprint_fonts

    saved = weasyprint_fonts.harfbuzz_subset
    weasyprint_fonts.harfbuzz_subset = None  # WeasyPrint then falls back to fontTools
    try:
        started = time.perf_counter()
        slow = render_pdf(html)
        fonttools_seconds = time.perf_counter() - started
    finally:
        weasyprint_fonts.harfbuzz_subset = saved
    print(
        f"fontTools subsetting (hb-subset hidden): {fonttools_seconds:.2f} s/document, "
        f"{len(slow.data) / 1024:.0f} KB; ratio {fonttools_seconds / median:.0f}× slower"
    )
    print(f"peak RSS (whole run): {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
