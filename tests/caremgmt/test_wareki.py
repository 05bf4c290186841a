import datetime as dt

import pytest
from django.template import engines

from caremgmt.wareki import age_on, wareki_date, wareki_month, wareki_short


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 1), "令和8年12月1日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
    ],
)
def test_wareki_date(day, expected) -> None:  # noqa: ANN001
    assert wareki_date(day) == expected


def test_month_and_short_forms() -> None:
    assert wareki_month(dt.date(2026, 12, 1)) == "令和8年12月"
    assert wareki_short(dt.date(1940, 9, 3)) == "S15.9.3"
    assert wareki_date(None) == ""


def test_template_filter_uses_local_date_for_datetimes() -> None:
    template = engines["django"].from_string("{{ when|wareki_date }}")
    utc_evening = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)  # 12/1 01:00 in Tokyo
    assert template.render({"when": utc_evening}) == "令和8年12月1日"


def test_age_on() -> None:
    assert age_on(dt.date(1940, 12, 2), dt.date(2026, 12, 1)) == 85
    assert age_on(dt.date(1940, 12, 1), dt.date(2026, 12, 1)) == 86


def test_date_filters_render_a_missing_value_as_empty() -> None:
    """A missing related object's attribute reaches the filter as "" (an imported plan
    without a basis assessment rendered a server error)."""
    from caremgmt.templatetags.caremgmt_tags import wareki_date as date_filter
    from caremgmt.templatetags.caremgmt_tags import wareki_month as month_filter
    from caremgmt.templatetags.caremgmt_tags import wareki_short as short_filter

    assert [date_filter(""), month_filter(""), short_filter(None)] == ["", "", ""]
