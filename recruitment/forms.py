"""Forms of the candidate pages: they validate and convert input; the rules live in recruitment.rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from organizations.forms import DateInput
from recruitment.ethnicities import ETHNIC_GROUPS, canonical_ethnicity
from recruitment.models import Candidate, IntroducerKind, PoliticalTheory, ProfessionalLevel, RemovalReason
from recruitment.particulars import NO_RELIGION, RELIGION_SUGGESTIONS, canonical_religion
from recruitment.rules import education_needed
from recruitment.services import EDITABLE_FIELDS, PERSON_FIELDS, STEPS, Step, step_reasons


def _model_field(name: str) -> Any:
    return Candidate._meta.get_field(name)


def _date_widgets(model_fields: tuple[str, ...]) -> dict[str, forms.Widget]:
    return {name: DateInput() for name in model_fields if _model_field(name).get_internal_type() == "DateField"}


class VersionedForm(forms.Form):
    """Carries the version the user read, so that a save over someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CandidateForm(forms.ModelForm):
    """The person and the dossier (the steps' own dates are recorded by the step forms)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Candidate
        fields = EDITABLE_FIELDS
        widgets = {
            **_date_widgets(EDITABLE_FIELDS),
            "verification_result": forms.Textarea(attrs={"rows": 2}),
            "national_id": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{12}", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "maxlength": 20}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Ethnicity is typed often without diacritics: accept it and store the official name. Nothing is
        # pre-filled: left empty, it is "not stated" (recruitment.particulars).
        self.fields["ethnicity"] = forms.CharField(
            label=self.fields["ethnicity"].label,
            required=False,
            help_text=_("Leave empty if not stated."),
            widget=forms.TextInput(attrs={"list": "ethnic-groups", "autocomplete": "off"}),
        )
        self.ethnic_groups = ETHNIC_GROUPS
        # Religion: a name, "Không" for none (offered first in the list), or empty for not stated.
        self.fields["religion"].widget = forms.TextInput(
            attrs={"list": "religions", "autocomplete": "off", "maxlength": 100}
        )
        self.religions = [(r, _("No religion") if r == NO_RELIGION else r) for r in RELIGION_SUGGESTIONS]
        # The particulars the documents print (issue 17): each may be left empty, "not stated".
        for name in ("home_town", "residence", "phone", "professional_level", "political_theory"):
            self.fields[name].help_text = _("Leave empty if not stated.")
        for name, choices in (("professional_level", ProfessionalLevel), ("political_theory", PoliticalTheory)):
            level = self.fields[name]
            assert isinstance(level, forms.ChoiceField)
            level.choices = [("", _("Not stated")), *choices.choices]

    def clean_ethnicity(self) -> str:
        text = self.cleaned_data["ethnicity"]
        if not text.strip():
            return ""
        value = canonical_ethnicity(text)
        if value is None:
            raise forms.ValidationError(_("Not one of the 54 ethnic groups of Vietnam."))
        return value

    def clean_religion(self) -> str:
        return canonical_religion(self.cleaned_data["religion"])

    def clean_phone(self) -> str:
        # Spaces as typed, collapsed; the rule is the model's validator (full_clean in the service).
        return " ".join(self.cleaned_data["phone"].split())

    def clean_national_id(self) -> str:
        return "".join(self.cleaned_data["national_id"].split())

    def _post_clean(self) -> None:
        # Validation is the service's (rules + full_clean); the form only converts.
        pass

    def person_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the sections of the page: the person, then the dossier."""
        person = [self[name] for name in PERSON_FIELDS]
        dossier = [self[name] for name in EDITABLE_FIELDS if name not in PERSON_FIELDS]
        return [(str(_("Personal details")), person), (str(_("Dossier")), dossier)]


class NewCandidateForm(CandidateForm):
    source_date = forms.DateField(label=_("Put on the source list on"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta(CandidateForm.Meta):
        fields = PERSON_FIELDS
        widgets = {
            **_date_widgets(PERSON_FIELDS),
            "national_id": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{12}", "maxlength": 12}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "maxlength": 20}),
        }

    def person_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(_("Personal details")), [self[name] for name in PERSON_FIELDS]),
            (str(_("Source list")), [self["source_date"], self["note"]]),
        ]


class StepForm(VersionedForm):
    """One step of the pipeline: its date and document number, then only the fields that step sets."""

    act_date = forms.DateField(label=_("Date"), widget=DateInput())
    document_no = forms.CharField(label=_("Document number"), max_length=50, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        step: str | Step,
        stage: str = "",
        candidate: Candidate | None = None,
        backfill: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        """`stage`: the person's present stage, which decides the removal reasons a leaving step offers.
        `candidate`: the person, whose education the vote asks for where it is not stated.
        `backfill`: what the person's stage rests on that is not on record (recruitment.records), asked first."""
        super().__init__(*args, **kwargs)
        spec = step if isinstance(step, Step) else STEPS[step]
        self.step = spec
        self.backfill = backfill
        self.fields["act_date"].label = capfirst(_model_field(spec.date_field).verbose_name)
        if spec.number_field:
            number = _model_field(spec.number_field)
            self.fields["document_no"].label = capfirst(number.verbose_name)
            self.fields["document_no"].required = spec.number_field in spec.required_fields
        else:
            del self.fields["document_no"]
        if spec.proposal_may_fail and "document_no" in self.fields:
            # A proposal voted short of the threshold is recorded on its day, undecided: no number then.
            self.fields["document_no"].required = False
            self.fields["document_no"].help_text = _("Leave empty when the cell's vote fell short of the threshold.")
        if spec.vote_may_fail:
            # A vote short of the threshold has no decision: its date and number are left empty then.
            self.fields["act_date"].required = False
            self.fields["act_date"].help_text = _("Leave empty when the vote fell short of the threshold.")
            if "document_no" in self.fields:
                self.fields["document_no"].required = False
        for name in backfill:
            field = _model_field(name).formfield()
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            field.required = True
            field.help_text = _("Not on record: give it before the person moves on.")
            self.fields[name] = field
        for name in spec.fields:
            if name == "removal_reason":
                reasons = step_reasons(spec, stage)
                if len(reasons) == 1:
                    continue  # the step implies its reason: the service records it
                field = _reason_field(spec, reasons)
            elif name == "education":
                if candidate is None or not education_needed(candidate):
                    continue  # stated (or not needed): the vote does not ask again
                field = _model_field(name).formfield()
                field.help_text = _("Not stated on the person's record: the vote is checked against the rule on it.")
            else:
                field = _model_field(name).formfield()
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            if name == "removal_note":
                field.widget = forms.Textarea(attrs={"rows": 2})
            field.required = name in spec.required_fields or name == "education"
            self.fields[name] = field
        note = self.fields.pop("note")
        if "removal_note" not in spec.fields:  # a leaving step's note is the reason's details
            self.fields["note"] = note  # the note comes last

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version")
        kwargs: dict[str, Any] = {
            "act_date": data.pop("act_date"),
            "document_no": data.pop("document_no", "") or "",
            "note": data.pop("note", "") or "",
        }
        for name in (*self.step.fields, *self.backfill):
            if name not in self.fields:
                continue
            value = data.get(name)
            kwargs[name] = "" if value is None and isinstance(self.fields[name], forms.CharField) else value
        return kwargs


def _reason_field(spec: Step, reasons: list[str]) -> forms.ChoiceField:
    """The removal reasons a leaving step offers; the one named like the step's stage first chosen
    (a reason's code equals the stage it names: not_admitted, struck_off)."""
    choices = [("", "---------"), *((r, RemovalReason(r).label) for r in reasons)]
    label = capfirst(_model_field("removal_reason").verbose_name)
    initial = spec.to if spec.to in reasons else None
    return forms.ChoiceField(label=label, choices=choices, initial=initial)


class IntroducerForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Introduced by"), choices=IntroducerKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The member's full name, or the committee that passed the resolution."),
    )
    reference = forms.CharField(label=_("Member number or resolution number"), max_length=50, required=False)
    known_since = forms.DateField(
        label=_("Has worked, studied or lived with the applicant since"), widget=DateInput(), required=False
    )
    introduced_on = forms.DateField(label=_("Introduction dated"), widget=DateInput())
    is_replacement = forms.BooleanField(
        label=_("Assigned by the cell to replace an introducer who left"), required=False
    )
    official_member_here = forms.BooleanField(
        label=_("An official member of the same grassroots organization"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == IntroducerKind.MEMBER and not data.get("known_since") and not data.get("is_replacement"):
            self.add_error("known_since", _("Give the date since when the member has known the applicant."))
        if data.get("kind") == IntroducerKind.MEMBER and not data.get("official_member_here"):
            # Charter Điều 4: the introducer is an official member, of the same grassroots organization.
            self.add_error(
                "official_member_here",
                _("Only an official member of the same grassroots organization can introduce the applicant."),
            )
        elif data.get("kind") != IntroducerKind.MEMBER:
            data["official_member_here"] = None  # a resolution is no member
        return data


class WarningResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was handled"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: reported to the superior committee, document number and date."),
    )


class DeleteIntroducerForm(VersionedForm):
    pass


class CorrectionForm(StepForm):
    """A recorded step's data, prefilled as recorded, and why it is corrected (recruitment.corrections)."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the votes for were typed wrong; the resolution reads 18."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = self.fields.pop("reason")  # last, after the step's fields

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["reason"] = self.cleaned_data.get("reason", "")
        if "note" not in self.fields:
            del kwargs["note"]  # the step has no note of its own: the recorded one stays
        return kwargs


class UndoForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for undoing the step"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: recorded for the wrong person."),
    )
