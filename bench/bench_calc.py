"""Benchmark of the benefit calculation engine (billing/calc): client-months per second.

Builds 10,000 synthetic but realistic client-months (3–6 service lines each: 訪問介護,
通所介護, 訪問看護, 福祉用具貸与, 短期入所, 居宅介護支援, with 処遇改善 and the usual 加算,
a few mid-month level changes and over-limit months), then times the engine on them.
Prints the figure; asserts nothing. Target: ≥ 5,000 client-months/s.

    python bench/bench_calc.py [--count N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.calc import (  # noqa: E402
    Certification,
    ClientMonth,
    Provider,
    ServiceLine,
    calculate_client_month,
    load_r6_fee_schedule,
)

YEAR, MONTH, DAYS = 2024, 10, 31
LEVELS = ["21", "22", "23", "24", "25"]
GRADES = ["1", "2", "3", "5", "6", "7", "other"]


def _dates(rng: random.Random, count: int) -> tuple[date, ...]:
    return tuple(date(YEAR, MONTH, d) for d in sorted(rng.sample(range(1, DAYS + 1), count)))


def _weekly(rng: random.Random, per_week: int) -> tuple[date, ...]:
    weekdays = rng.sample(range(7), per_week)
    return tuple(date(YEAR, MONTH, d) for d in range(1, DAYS + 1) if d % 7 in weekdays)


def synthetic_client_month(rng: random.Random, number: int) -> ClientMonth:
    """One plausible client-month; the mix loosely follows a 居宅 caseload."""
    grade = rng.choice(GRADES)
    level = rng.choice(LEVELS)
    certifications = (Certification(level, date(2024, 4, 1), date(2025, 3, 31)),)
    if rng.random() < 0.05:  # 区分変更 in the month
        certifications = (
            Certification(level, date(2024, 4, 1), date(YEAR, MONTH, 15)),
            Certification(rng.choice(LEVELS), date(YEAR, MONTH, 16), date(2025, 4, 30)),
        )
    office = f"13{number % 100000:08d}"[:10]
    providers = [
        Provider("1310000001", "ヘルパー", grade, frozenset({"11"})),
        Provider("1360000002", "訪問看護", grade, frozenset({"13"})),
        Provider("1370000003", "デイサービス", grade, frozenset({"15"})),
        Provider("1370000004", "福祉用具", grade, frozenset({"17"})),
        Provider("1370000005", "ショートステイ", grade, frozenset({"21"})),
        Provider(office, "居宅介護支援", grade, frozenset({"43"})),
    ]
    heavy = level >= "23"  # codes as the plan screen would store them for the level
    lines: list[ServiceLine] = [ServiceLine(office, "432211" if heavy else "432111")]
    services = rng.sample(["home_help", "day_care", "rental", "nursing", "short_stay"], 3)
    for service in services:
        if len(lines) >= 6:
            break
        if service == "home_help":
            lines.append(ServiceLine("1310000001", "111211", _weekly(rng, rng.randint(2, 5))))
            lines.append(ServiceLine("1310000001", "116275"))
        elif service == "day_care":
            visits = _weekly(rng, rng.randint(1, 4))
            band = rng.choice(["15244", "15234"])  # 7–8h or 5–6h, + care-level digit
            lines.append(ServiceLine("1370000003", band + level[1], visits))
            lines.append(ServiceLine("1370000003", "155301", visits))
            if len(lines) < 6:
                lines.append(ServiceLine("1370000003", "156108"))
        elif service == "rental":
            price = rng.randrange(500, 20000, 10)
            lines.append(ServiceLine("1370000004", "171003", rental_price_yen=price))
        elif service == "nursing":
            lines.append(ServiceLine("1360000002", "131211", _weekly(rng, rng.randint(1, 2))))
        else:
            start = rng.randint(1, 20)
            stay = tuple(date(YEAR, MONTH, d) for d in range(start, start + rng.randint(3, 10)))
            lines.append(ServiceLine("1370000005", f"2121{level[1]}1", stay))
            lines.append(ServiceLine("1370000005", "219200", (stay[0], stay[-1])))
    return ClientMonth(
        year=YEAR,
        month=MONTH,
        certifications=certifications,
        benefit_rate=rng.choice([90, 90, 90, 80, 70]),
        providers=tuple(providers),
        service_lines=tuple(lines[:6]),
        short_stay_days_before_month=rng.randint(0, 30),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    schedule = load_r6_fee_schedule()
    rng = random.Random(arguments.seed)
    months = [synthetic_client_month(rng, n) for n in range(arguments.count)]
    for client_month in months[:200]:  # warm caches
        calculate_client_month(client_month, schedule)

    rates = []
    over_limit = errors = 0
    for _ in range(arguments.repeat):
        started = time.perf_counter()
        for client_month in months:
            result = calculate_client_month(client_month, schedule)
            over_limit += bool(result.totals.over_limit_units)
            errors += result.has_errors
        rates.append(len(months) / (time.perf_counter() - started))
    lines = sum(len(m.service_lines) for m in months)
    print(
        f"billing.calc: {len(months):,} client-months ({lines / len(months):.1f} lines each, "
        f"{over_limit // arguments.repeat:,} over the limit, {errors // arguments.repeat} with errors)"
    )
    print(
        f"client-months per second: median {statistics.median(rates):,.0f} "
        f"(best {max(rates):,.0f}, worst {min(rates):,.0f}; {arguments.repeat} runs; target ≥ 5,000)"
    )


if __name__ == "__main__":
    main()
