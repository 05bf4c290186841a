"""Shared form bases: time input, service-validated and version-carrying model forms."""

from __future__ import annotations

from typing import Any

from django import forms

from clients.forms import StyledForm


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class ServiceValidated:
    """Model forms here only parse input: the services own the cross-field and database
    rules (with field-level Japanese messages), so the model is not validated twice."""

    def _post_clean(self) -> None:
        pass


class VersionedForm(ServiceValidated, StyledForm, forms.ModelForm):
    """Carries the plan's `version` it was loaded at (optimistic lock)."""

    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    edit_snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
