"""Benchmark of the ticket PDF (利用票 第6表 + 別表 第7表, 2 pages, A4 landscape).

Builds a realistic 10-service month for a 要介護3 client (訪問介護 身体・生活 + 処遇改善,
通所介護 + 入浴介助 + 処遇改善, 訪問看護, three rentals with TAIS codes) through the real
engine (`calculate_client_month` with the shipped R6 fee schedule, no database), renders

* the project document: `billing.printing.ticket_document_html` (ruled SVG + positioned
  text, templates/billing/pdf/ticket.html), and
* the same content as a naive HTML table: one bordered `<table>` of 31 day columns with
  予定/実績 lines on the print base (`pdf/base.html` + css/print.css), then the 別表 as a
  bordered table,

alternately, several runs each, with `caremgmt.printing.rendering.render_pdf`, and prints
the median ms per ticket for both and their ratio as the last three lines:

    project: <ms> ms per ticket
    naive: <ms> ms per ticket
    ratio: <x>

    python bench/ticket_pdf.py [--runs N] [--out DIR]   # --out also writes both PDFs
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremgmt.settings")

MONTH = dt.date(2026, 12, 1)
HELPER, NURSE, DAY, RENTAL = "1310000001", "1360000002", "1370000003", "1370000004"
NAMES = {
    HELPER: "ヘルパーステーションあおば",
    NURSE: "訪問看護ステーションみどり",
    DAY: "デイサービスひまわり",
    RENTAL: "福祉用具センターさくら",
}
# (provider, code, content, start, end, weekdays (0 = Mon) | None for month basis, rental)
SERVICES = [
    (HELPER, "111211", "身体介護（入浴介助）", "10:00", "11:00", [0, 3], None),
    (HELPER, "117311", "生活援助（掃除・買物）", "14:00", "15:00", [1, 4], None),
    (HELPER, "116275", "処遇改善加算", None, None, None, None),
    (DAY, "152443", "通所介護", "09:30", "16:30", [2, 5], None),
    (DAY, "155301", "入浴介助", "09:30", "16:30", [2, 5], None),
    (DAY, "156108", "処遇改善加算", None, None, None, None),
    (NURSE, "131211", "訪問看護（服薬管理）", "13:00", "14:00", [1], None),
    (RENTAL, "171003", "特殊寝台", None, None, None, ("楽匠Ｚ", "00170-000123", 12000)),
    (RENTAL, "171004", "特殊寝台付属品", None, None, None, ("サイドレール", "00170-000456", 1500)),
    (RENTAL, "171001", "車いす", None, None, None, ("ネクストコア", "00123-000789", 6000)),
]


def sample_snapshot() -> dict:
    """A snapshot (billing.tickets.snapshot schema) computed by the real engine."""
    from billing.calc import calculate_client_month
    from billing.calc.data_files import load_r6_fee_schedule
    from billing.calc.types import Certification, ClientMonth, Provider, ServiceLine
    from billing.tickets.snapshot import _plain

    days = [MONTH + dt.timedelta(days=n) for n in range(31)]
    lines, rows = [], []
    for order, (number, code, content, start, end, weekdays, rental) in enumerate(SERVICES, 1):
        dates = [d for d in days if weekdays is not None and d.weekday() in weekdays]
        lines.append(
            ServiceLine(number, code, dates, rental_price_yen=rental[2] if rental else None)
        )
        planned = [d.day for d in dates] if weekdays else [1]
        rows.append(
            {
                "id": order, "order": order, "provider_id": list(NAMES).index(number) + 1,
                "provider_number": number, "provider_name": NAMES[number],
                "service_type": code[:2], "service_code": code, "service_name": "",
                "content": content, "starts_at": start, "ends_at": end,
                "planned_days": planned, "actual_days": [], "actual_recorded": False,
                "count_per_date": 1, "month_basis": weekdays is None,
                "planned_count": len(planned), "actual_count": 0,
                "tais_code": rental[1] if rental else "", "notified_code": "",
                "item_name": rental[0] if rental else "",
                "rental_price_yen": rental[2] if rental else None,
                "detail_discriminator": None, "unit_value": 0,
            }
        )  # fmt: skip
    providers = [
        Provider(HELPER, NAMES[HELPER], "1", frozenset({"11"})),
        Provider(NURSE, NAMES[NURSE], "1", frozenset({"13"})),
        Provider(DAY, NAMES[DAY], "1", frozenset({"15"})),
        Provider(RENTAL, NAMES[RENTAL], "1", frozenset({"17"})),
    ]
    result = calculate_client_month(
        ClientMonth(
            year=MONTH.year, month=MONTH.month,
            certifications=[Certification("23", dt.date(2026, 4, 1), dt.date(2027, 3, 31))],
            benefit_rate=90, providers=providers, service_lines=lines,
        ),
        load_r6_fee_schedule(),
    )  # fmt: skip
    names = {d.service_code: (d.service_name, d.unit_value) for d in result.detail_rows}
    for row in rows:
        row["service_name"], row["unit_value"] = names.get(row["service_code"], ("", 0))
    return {
        "schema": 1, "month": f"{MONTH:%Y-%m}", "ticket_id": 1, "ticket_version": 1,
        "created_on": "2026-11-25", "version_number": None,
        "client": {
            "id": 1, "name": "髙橋 﨑子", "name_kana": "タカハシ サキコ",
            "birth_date": "1940-05-03", "sex": "2", "sex_label": "女",
            "insured_number": "1312345678", "insurer_number": "131011",
            "insurer_name": "千代田区", "postal_code": "", "address": "", "phone": "",
        },
        "office": {
            "id": 1, "name": "さくら居宅介護支援センター", "number": "1370100000",
            "care_manager_name": "担当 花子", "care_manager_number": "13000001",
        },
        "certification": {
            "state": "2", "state_label": "認定済", "care_level": "23",
            "care_level_label": "要介護3", "limit_units": result.limit_units,
            "period_from": "2026-04-01", "period_to": "2027-03-31",
            "certified_on": "2026-03-20", "first_care_level": "23",
            "first_care_level_label": "要介護3", "changed_care_level": "",
            "changed_care_level_label": "", "changed_on": "",
        },
        "benefit_rate": 90, "rows": rows,
        "detail_rows": _plain(result.detail_rows), "subtotals": _plain(result.subtotals),
        "totals": _plain(result.totals),
        "service_type_limit_usages": _plain(result.service_type_limit_usages),
        "benefit_management_lines": _plain(result.benefit_management_lines),
        "short_stay": _plain(result.short_stay), "allocation": _plain(result.allocation),
        "allocation_source": result.allocation_source, "public_expenses": [],
        "public_expense_yen": 0,
        "user_charge_yen": result.totals.user_copay + result.totals.user_full_pay,
        "issues": [],
    }  # fmt: skip


def naive_html(snapshot: dict) -> str:
    """The same content as one bordered <table> of 31 day columns (+ the 別表 table) on the
    print base: what a straightforward template would do."""
    from django.template import engines

    from billing.pdf_layout import month_of, num, wareki
    from caremgmt.wareki import wareki_month

    month = month_of(snapshot)
    n_days = 31
    weekdays = "月火水木金土日"
    client, cert = snapshot["client"], snapshot["certification"]
    head = "".join(f"<th class='day'>{d}</th>" for d in range(1, 32))
    head2 = "".join(
        f"<th class='day'>{weekdays[(month + dt.timedelta(days=d - 1)).weekday()]}</th>"
        for d in range(1, n_days + 1)
    )
    body = []
    for row in snapshot["rows"]:
        for label, days, count in (
            ("予定", row["planned_days"], row["planned_count"]),
            ("実績", row["actual_days"], row["actual_count"]),
        ):
            cells = "".join(
                f"<td class='day'>{'1' if d in days else ''}</td>" for d in range(1, 32)
            )
            first = (
                f"<td rowspan='2'>{row['starts_at'] or ''}〜{row['ends_at'] or ''}</td>"
                f"<td rowspan='2'>{row['service_name']}<br>{row['content']}"
                f"{'<br>' + row['tais_code'] if row['tais_code'] else ''}</td>"
                f"<td rowspan='2' class='small'>{row['provider_name']}</td>"
                if label == "予定"
                else ""
            )
            body.append(
                f"<tr>{first}<td class='day'>{label}</td>{cells}"
                f"<td class='number'>{count if days or label == '予定' else ''}</td></tr>"
            )
    header = (
        "<table class='form-fields'><tr><th>保険者番号</th><td>{in_}</td><th>保険者名</th>"
        "<td>{iname}</td><th>被保険者番号</th><td>{num_}</td><th>氏名</th><td>{name}</td>"
        "<th>生年月日</th><td>{birth}</td><th>性別</th><td>{sex}</td></tr><tr><th>要介護状態区分"
        "</th><td>{level}</td><th>区分支給限度基準額</th><td>{limit}単位</td><th>限度額適用期間"
        "</th><td colspan='3'>{pf}〜{pt}</td><th>作成年月日</th><td colspan='3'>{created}</td>"
        "</tr></table>"
    ).format(
        in_=client["insurer_number"], iname=client["insurer_name"],
        num_=client["insured_number"], name=client["name"], birth=wareki(client["birth_date"]),
        sex=client["sex_label"], level=cert["care_level_label"], limit=num(cert["limit_units"]),
        pf=wareki(cert["period_from"]), pt=wareki(cert["period_to"]),
        created=wareki(snapshot["created_on"]),
    )  # fmt: skip
    cols = (
        "<col style='width:6%'><col style='width:13%'><col style='width:11%'>"
        "<col style='width:3%'>" + "<col>" * 31 + "<col style='width:3.5%'>"
    )
    t7 = []
    for st in snapshot["subtotals"]:
        for d in snapshot["detail_rows"]:
            if (
                d["provider_number"] == st["provider_number"]
                and d["service_type"] == st["service_type"]
            ):
                t7.append(
                    f"<tr><td class='small'>{d['provider_name']}</td><td>{d['provider_number']}</td>"
                    f"<td class='small'>{d['service_name']}</td><td>{d['service_code']}</td>"
                    f"<td class='number'>{num(d['unit_value'])}</td><td></td><td></td>"
                    f"<td class='number'>{d['count']}</td><td class='number'>{num(d['service_units'])}</td>"
                    + "<td></td>" * 11
                    + "</tr>"
                )
        t7.append(
            f"<tr><td></td><td></td><td>{st['service_type_name']}合計</td><td></td><td></td><td></td>"
            f"<td></td><td></td><td class='number'>{num(st['limit_target_units'])}</td>"
            f"<td class='number'>{num(st['over_type_limit_units'])}</td>"
            f"<td class='number'>{num(st['within_type_limit_units'])}</td>"
            f"<td class='number'>{num(st['over_limit_units'])}</td>"
            f"<td class='number'>{num(st['within_limit_units'])}</td>"
            f"<td class='number'>{st['unit_price']}</td><td class='number'>{num(st['total_cost'])}</td>"
            f"<td class='number'>{st['benefit_rate']}</td><td class='number'>{num(st['insurance_claim'])}</td>"
            f"<td></td><td class='number'>{num(st['user_copay'])}</td>"
            f"<td class='number'>{num(st['user_full_pay'])}</td></tr>"
        )
    t7_head = "".join(
        f"<th class='small'>{h}</th>"
        for h in [
            "事業所名",
            "事業所番号",
            "サービス内容",
            "コード",
            "単位数",
            "割引率",
            "割引後単位",
            "回数",
            "サービス単位",
            "種類超",
            "種類内",
            "区分超",
            "区分内",
            "単価",
            "費用総額",
            "給付率",
            "保険請求額",
            "定額負担",
            "利用者負担",
            "全額負担",
        ]
    )
    source = (
        '{% extends "pdf/base.html" %}{% block content %}'
        f"<h1>サービス利用票（兼居宅サービス計画） {wareki_month(month)}分</h1>" + header +
        "<table class='grid'><colgroup>" + cols + "</colgroup><thead><tr><th rowspan='2'>提供時間帯"
        "</th><th rowspan='2'>サービス内容</th><th rowspan='2'>事業所名</th><th>日付</th>" + head +
        "<th rowspan='2'>合計回数</th></tr><tr><th>曜日</th>" + head2 + "</tr></thead><tbody>"
        + "".join(body) + "</tbody></table>"
        "<h1 class='page-break'>サービス利用票別表</h1><table class='grid'><thead><tr>" + t7_head +
        "</tr></thead><tbody>" + "".join(t7) + "</tbody></table>{% endblock %}"
    )  # fmt: skip
    return (
        engines["django"]
        .from_string(source)
        .render(
            {
                "document_title": "サービス利用票・別表",
                "client_name": client["name"],
                "office_name": snapshot["office"]["name"],
                "printed_on": None,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--out", type=Path, help="write both PDFs into this folder")
    args = parser.parse_args()

    import django

    django.setup()
    from billing.printing import CLIENT, ticket_document_html
    from caremgmt.printing.rendering import render_pdf

    snapshot = sample_snapshot()
    documents = {
        "project": lambda: ticket_document_html(snapshot, CLIENT),
        "naive": lambda: naive_html(snapshot),
    }
    timings: dict[str, list[float]] = {name: [] for name in documents}
    cpu: dict[str, list[float]] = {name: [] for name in documents}
    rendered = {}
    for name, build in documents.items():  # warm-up: imports, fonts, template compile
        rendered[name] = render_pdf(build())
    for _ in range(args.runs):
        for name, build in documents.items():  # alternate, so load hits both alike
            started, cpu_started = time.perf_counter(), time.process_time()
            rendered[name] = render_pdf(build())  # HTML build included: it is per ticket
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
    for name, values in timings.items():
        pdf = rendered[name]
        print(
            f"{name}: {pdf.page_count} pages, {len(pdf.data) / 1024:.0f} KB, "
            f"min {min(values):.0f} / median {statistics.median(values):.0f} / "
            f"max {max(values):.0f} ms over {args.runs} runs; "
            f"CPU median {statistics.median(cpu[name]):.0f} ms"
        )
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"ticket_{name}.pdf").write_bytes(pdf.data)
    project = statistics.median(timings["project"])
    naive = statistics.median(timings["naive"])
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall time suffers)")
    print(f"project: {project:.0f} ms per ticket")
    print(f"naive: {naive:.0f} ms per ticket")
    print(f"ratio: {naive / project:.1f}")


if __name__ == "__main__":
    main()
