"""Forms of the 第3表 週単位以外 items (福祉用具貸与, 短期入所); the service validates."""

from __future__ import annotations

from typing import Any

from caremgmt.forms import ascii_field_classes
from careplans.forms.common import VersionedForm
from careplans.models import CarePlan, MonthlyService, SupportItem
from clients.forms import DateInput

RENTAL_TYPES = ("17", "67")
SHORT_STAY_TYPES = ("21", "22", "23", "2A", "24", "25", "26", "2B")


class _MonthlyForm(VersionedForm):
    service_types: tuple[str, ...] = ()

    def __init__(self, *args: Any, providers: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers.filter(
            service_types__overlap=list(self.service_types)
        )
        self.fields["provider"].required = True
        self.fields["period_from"].required = True
        if "support_item" in self.fields:
            self.fields["support_item"].queryset = SupportItem.objects.filter(
                goal__need__plan=plan
            ).order_by("goal__need__order", "goal__order", "order")


class RentalItemForm(_MonthlyForm):
    """One 福祉用具貸与 item: code, TAIS／届出コード, 用具名称, 貸与価格, period, 例外給付."""

    service_types = RENTAL_TYPES

    class Meta:
        model = MonthlyService
        fields = [
            "provider",
            "service_code",
            "content",
            "tais_code",
            "notified_code",
            "item_name",
            "rental_price_yen",
            "period_from",
            "period_to",
            "light_care_exception_on",
            "light_care_exception_note",
            "support_item",
        ]
        widgets = {
            "period_from": DateInput(),
            "period_to": DateInput(),
            "light_care_exception_on": DateInput(),
        }
        help_texts = {
            "service_code": "6桁。例：171003（特殊寝台）、171007（手すり）",
            "content": "空欄ならサービスコードの名称を使います。",
            "period_to": "空欄は計画の期間中ずっと。",
            "light_care_exception_on": "要支援1・2、要介護1の方の車いす・特殊寝台など"
            "（自動排泄処理装置は要介護3まで）は、医師の意見・担当者会議・保険者の確認による"
            "例外給付の確認日を記録します。",
        }
        field_classes = ascii_field_classes("tais_code", "notified_code", numbers=("service_code",))


class ShortStayForm(_MonthlyForm):
    """One 短期入所 stay: provider, code, from/to (every day of the range is a stay day)."""

    service_types = SHORT_STAY_TYPES

    class Meta:
        model = MonthlyService
        fields = ["provider", "service_code", "content", "period_from", "period_to", "support_item"]
        widgets = {"period_from": DateInput(), "period_to": DateInput()}
        labels = {"period_from": "入所日", "period_to": "退所日"}
        help_texts = {
            "service_code": "6桁。例：211131（単独短期生活Ⅰ3）。要介護度が月の途中で変わると"
            "利用票では日ごとにその区分のコードになります。",
            "content": "空欄ならサービスコードの名称を使います。",
        }
        field_classes = ascii_field_classes(numbers=("service_code",))


FORMS_BY_KIND = {"rental": RentalItemForm, "short_stay": ShortStayForm}
