"""Forms of 交付・同意, copies and 提供票 sends: parsing and field messages only; the rules
(dates, consent policy, identical content) are checked by `billing.delivery`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from billing.delivery import CopyCandidate, parse_send_items
from billing.models import ConsentMethod, SendMethod, TicketCopy
from clients.models import ClientContact

SELF = "self"
OTHER = "other"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeliverForm(forms.Form):
    """交付・同意 of the month's 利用票 (one version)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    created_on = forms.DateField(
        label="作成年月日（交付・同意した日）",
        widget=DATE_WIDGET,
        help_text="利用者に説明して渡し、同意を得た日です。利用票に印字されます。",
    )
    received_by_choice = forms.ChoiceField(label="受け取った人", widget=forms.RadioSelect)
    received_by_other = forms.CharField(
        label="受け取った人（その他）",
        max_length=100,
        required=False,
        help_text="「その他」を選んだときに入力します。例：長男の妻",
    )
    consent_method = forms.ChoiceField(label="確認方法", widget=forms.RadioSelect)
    consent_note = forms.CharField(
        label="確認の記録",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="口頭同意のときは必須です（誰に、どのように確認したか）。",
    )
    change_reason = forms.CharField(
        label="変更理由",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="2回目以降の交付（月の途中の変更）で必須です。",
    )
    copies = forms.MultipleChoiceField(
        label="写しを送る相手",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="保険者・事業所以外で写しを送る相手です。送った日は交付の後に記録します。",
    )

    def __init__(
        self,
        *args: Any,
        contacts: Sequence[ClientContact],
        candidates: Sequence[CopyCandidate],
        consent_policy: str,
        next_number: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {f"contact:{contact.pk}": contact for contact in contacts}
        self.candidates = {candidate.key: candidate for candidate in candidates}
        self.fields["received_by_choice"].choices = [
            (SELF, "本人"),
            *[(key, f"{c.relationship} {c.name}") for key, c in self.contacts.items()],
            (OTHER, "その他"),
        ]
        methods = list(ConsentMethod.choices)
        if consent_policy == "signature":
            methods = [(value, label) for value, label in methods if value != ConsentMethod.ORAL]
            self.fields["consent_note"].help_text = "必要なら確認の状況を記録します。"
        self.fields["consent_method"].choices = methods
        self.fields["copies"].choices = [(c.key, c.label) for c in candidates]
        if not candidates:
            del self.fields["copies"]
        if next_number == 1:
            del self.fields["change_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("received_by_choice")
        if choice == OTHER and not (data.get("received_by_other") or "").strip():
            self.add_error("received_by_other", "受け取った人の名前（続柄）を入力してください。")
        return data

    def received_by(self) -> str:
        choice = self.cleaned_data["received_by_choice"]
        if choice == SELF:
            return "本人"
        if choice == OTHER:
            return self.cleaned_data["received_by_other"].strip()
        contact = self.contacts[choice]
        return f"{contact.relationship} {contact.name}"

    def chosen_copies(self) -> list[CopyCandidate]:
        return [self.candidates[key] for key in self.cleaned_data.get("copies", [])]


class CopiesSentForm(forms.Form):
    """The 送付日 of each copy; a hidden field per copy keeps the value the page was loaded
    with, so a save over someone else's newer date is refused (compare and set)."""

    def __init__(self, *args: Any, copies: Sequence[TicketCopy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.copies = list(copies)
        for copy in self.copies:
            self.fields[f"sent_on_{copy.pk}"] = forms.DateField(
                label=f"{copy.get_kind_display()}：{copy.recipient_name}",
                required=False,
                widget=DATE_WIDGET,
                initial=copy.sent_on,
            )
            self.fields[f"loaded_{copy.pk}"] = forms.DateField(
                required=False, widget=forms.HiddenInput, initial=copy.sent_on
            )

    def rows(self) -> list[tuple[TicketCopy, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"sent_on_{c.pk}"], self[f"loaded_{c.pk}"]) for c in self.copies]

    def changes(self) -> dict[int, tuple[dt.date | None, dt.date | None]]:
        data = self.cleaned_data
        result = {}
        for copy in self.copies:
            loaded, new = data.get(f"loaded_{copy.pk}"), data.get(f"sent_on_{copy.pk}")
            if loaded != new:
                result[copy.pk] = (loaded, new)
        return result


class _AnyChoices(forms.MultipleChoiceField):
    """Choices are shown from the page's list; what was posted is checked by the service
    (visible, current version, provider on it), which gives the precise message."""

    def valid_value(self, value: Any) -> bool:
        return True


class ProviderSendForm(forms.Form):
    """提供票 sent: which (version, provider) pairs, the date and the method."""

    items = _AnyChoices(label="送付した事業所", widget=forms.CheckboxSelectMultiple, required=True)
    sent_on = forms.DateField(label="送付日", widget=DATE_WIDGET)
    method = forms.ChoiceField(label="送付方法", choices=SendMethod.choices)

    def __init__(self, *args: Any, item_choices: Sequence[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = list(item_choices)
        self.fields["items"].error_messages["required"] = "送付した事業所を選んでください。"

    def clean_items(self) -> list[tuple[int, int]]:
        try:
            return parse_send_items(self.cleaned_data["items"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["items"]) from error
