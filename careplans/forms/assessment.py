"""Assessment forms: the start form and the 23 items with structured fields and lists."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms

from careplans.assessment_items import (
    NOTE_KEY,
    FieldSpec,
    ItemSpec,
    ListSpec,
    entry_errors,
    item_set,
)
from careplans.models import (
    Assessment,
)
from clients.forms import DateInput, StyledForm

# --- assessment --------------------------------------------------------------------------


class AssessmentStartForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "reason", "reason_note", "place"]
        widgets = {"assessed_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


def item_field_name(number: int, key: str) -> str:
    return f"item{number}_{key}"


def list_field_name(number: int, key: str, row: int, column: str) -> str:
    return f"item{number}_{key}_{row}_{column}"


def list_count_name(number: int, key: str) -> str:
    return f"item{number}_{key}_rows"


SOURCE_LABELS = {"register": "台帳・認定から", "header": "実施の記録から"}
BLANK_LIST_ROWS = 3


def _sub_field(field_spec: FieldSpec) -> forms.Field:
    if field_spec.is_choice:
        return forms.ChoiceField(
            label=field_spec.label,
            choices=[("", "—")] + [(c, c) for c in field_spec.choices],
            required=False,
            disabled=not field_spec.editable,
        )
    return forms.CharField(
        label=field_spec.label,
        required=False,
        max_length=200,
        disabled=not field_spec.editable,
    )


class AssessmentForm(AssessmentStartForm):
    """The header plus one field per structured sub-field, one note per item, and the rows
    of each list (e.g. item 13's BPSD entries: the stored ones plus a few blank rows)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, item_set_tag: str, answers: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items: tuple[ItemSpec, ...] = item_set(item_set_tag)
        self.row_counts: dict[tuple[int, str], int] = {}
        for spec in self.items:
            answer = answers.get(str(spec.number)) or {}
            for field_spec in spec.fields:
                name = item_field_name(spec.number, field_spec.key)
                self.fields[name] = _sub_field(field_spec)
                self.initial.setdefault(name, answer.get(field_spec.key, ""))
            note = item_field_name(spec.number, NOTE_KEY)
            self.fields[note] = forms.CharField(
                label="内容・特記事項",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
            )
            self.initial.setdefault(note, answer.get(NOTE_KEY, ""))
            for list_spec in spec.lists:
                self._add_list(spec.number, list_spec, answer.get(list_spec.key) or [])

    def _add_list(self, number: int, list_spec: ListSpec, stored: list[dict[str, str]]) -> None:
        count_name = list_count_name(number, list_spec.key)
        rows = len(stored) + BLANK_LIST_ROWS
        if self.is_bound:
            with contextlib.suppress(TypeError, ValueError):
                rows = int(self.data.get(count_name, rows))
        rows = max(1, min(rows, list_spec.max_rows))
        self.row_counts[(number, list_spec.key)] = rows
        self.fields[count_name] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.initial[count_name] = rows
        for row in range(rows):
            entry = stored[row] if row < len(stored) else {}
            for column in list_spec.columns:
                name = list_field_name(number, list_spec.key, row, column.key)
                self.fields[name] = _sub_field(column)
                self.fields[name].widget.attrs["aria-label"] = (
                    f"{list_spec.label} {row + 1}行目 {column.label}"
                )
                self.initial.setdefault(name, entry.get(column.key, ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for spec in self.items:
            for list_spec in spec.lists:
                for row_number, row in enumerate(self._rows(spec.number, list_spec)):
                    for column, message in entry_errors(list_spec, row).items():
                        name = list_field_name(spec.number, list_spec.key, row_number, column)
                        self.add_error(name, message)
        return data

    def _rows(self, number: int, list_spec: ListSpec) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {
                column.key: data.get(list_field_name(number, list_spec.key, row, column.key), "")
                for column in list_spec.columns
            }
            for row in range(self.row_counts[(number, list_spec.key)])
        ]

    def item_groups(self) -> list[dict[str, Any]]:
        """For the template: each item with its bound fields (and where a prefilled value
        came from), and its lists as rows of bound fields."""
        groups = []
        for spec in self.items:
            groups.append(
                {
                    "spec": spec,
                    "fields": [
                        {
                            "field": self[item_field_name(spec.number, f.key)],
                            "source_label": SOURCE_LABELS.get(f.source, ""),
                        }
                        for f in spec.fields
                    ],
                    "note": self[item_field_name(spec.number, NOTE_KEY)],
                    "lists": [
                        {
                            "spec": list_spec,
                            "count": self[list_count_name(spec.number, list_spec.key)],
                            "rows": [
                                [
                                    self[list_field_name(spec.number, list_spec.key, row, c.key)]
                                    for c in list_spec.columns
                                ]
                                for row in range(self.row_counts[(spec.number, list_spec.key)])
                            ],
                        }
                        for list_spec in spec.lists
                    ],
                }
            )
        return groups

    def answers(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        result: dict[str, dict[str, Any]] = {}
        for spec in self.items:
            entry: dict[str, Any] = {
                f.key: data.get(item_field_name(spec.number, f.key), "") for f in spec.fields
            }
            entry[NOTE_KEY] = data.get(item_field_name(spec.number, NOTE_KEY), "")
            for list_spec in spec.lists:
                entry[list_spec.key] = self._rows(spec.number, list_spec)
            result[str(spec.number)] = entry
        return result
