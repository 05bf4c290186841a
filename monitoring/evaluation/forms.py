"""Forms of the 評価表: the sheet (評価日・総括, with its version) and one line per goal."""

from __future__ import annotations

from typing import Any

from django import forms

from caremgmt.locking import LockedEditForm
from clients.forms import DateInput
from monitoring.evaluation.services import LineInput
from monitoring.models import EvaluationResult

RESULT_REQUIRED_MESSAGE = "結果を選んでください。"


class EvaluationSheetForm(LockedEditForm):
    evaluated_on = forms.DateField(
        label="評価日",
        widget=DateInput(),
        error_messages={
            "required": "評価日を入力してください。",
            "invalid": "日付の形式が正しくありません。",
        },
    )
    summary = forms.CharField(
        label="総括",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="計画全体を通しての評価、次の計画に向けて",
    )

    def __init__(self, *args: Any, sheet: Any = None, **kwargs: Any) -> None:
        self.instance = sheet
        if sheet is not None:
            initial = kwargs.setdefault("initial", {})
            initial.setdefault("evaluated_on", sheet.evaluated_on)
            initial.setdefault("summary", sheet.summary)
        super().__init__(*args, **kwargs)


class EvaluationLineForm(forms.Form):
    """One short-term goal: evaluated on this sheet or not, its 結果 and コメント."""

    include = forms.BooleanField(label="この目標を評価する", required=False)
    result = forms.ChoiceField(
        label="結果",
        required=False,
        choices=[("", "—（選んでください）"), *EvaluationResult.choices],
    )
    comment = forms.CharField(
        label="コメント",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="効果が認められたもの／見直しを要するもの",
    )

    def __init__(self, *args: Any, goal_id: int, **kwargs: Any) -> None:
        self.goal_id = goal_id
        super().__init__(*args, prefix=f"goal-{goal_id}", **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("include") and not data.get("result"):
            self.add_error("result", RESULT_REQUIRED_MESSAGE)
        return data

    def line_input(self) -> LineInput | None:
        """The line to save, or None when the goal is not evaluated on this sheet."""
        if not self.cleaned_data.get("include"):
            return None
        return LineInput(
            goal_id=self.goal_id,
            result=self.cleaned_data["result"],
            comment=self.cleaned_data.get("comment", "").strip(),
        )
