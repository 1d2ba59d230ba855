"""Candidates for Party membership and their pipeline, the dated rule set, and the working-day calendar.

A Candidate row is one candidacy: a person's way from a chi bộ's source list to full membership
(or out of it). A person who leaves and is put on a list again later gets a new row; at most one
row per national ID is open at a time (a database constraint).
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from organizations.models import Organization
from organizations.text import fold, name_sort_key
from recruitment.ethnicities import ETHNIC_GROUPS


class CalendarDay(models.Model):
    """A day the government declared off, or a weekend day declared a working day.

    Public holidays, lunar Tết and the usual swapped days come from the holidays library; this
    table holds what it does not know yet (a new decision of the Prime Minister, a local day off).
    It overrides the library for that date.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: a make-up working day. Unticked: an extra day off.")
    )
    reason = models.CharField(_("reason"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.reason}"


def _positive(default: int, label: Any, help_text: str = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, default=default, help_text=help_text)


class RuleSet(models.Model):
    """Every duration and threshold of the admission rules, in force from a date.

    The rules changed three times in 2025 (232-QĐ/TW, 294-QĐ/TW, 06-HD/TW); an act is judged by
    the rule set in force on the day of the act, so records made under an older text stay valid.
    """

    effective_from = models.DateField(_("in force from"), unique=True)
    legal_basis = models.CharField(_("legal basis"), max_length=500)
    note = models.TextField(_("note"), blank=True)

    min_age_months = _positive(216, _("minimum age at the branch vote (months)"))
    max_age_months = _positive(720, _("maximum age at the branch vote without provincial consent (months)"))
    min_education_grade = _positive(9, _("minimum general education grade"))
    exempt_area_min_education_grade = _positive(
        5, _("minimum grade in mountain, border, island, ethnic-minority or disadvantaged areas")
    )
    awareness_cert_valid_months = _positive(60, _("awareness course certificate valid for (months)"))
    personal_history_valid_months = _positive(12, _("personal history valid for (months)"))
    introducer_known_months = _positive(12, _("an introducer must have known the applicant for (months)"))
    member_introducers = _positive(2, _("official members introducing, without a union resolution"))
    union_member_introducers = _positive(1, _("official members introducing beside a union resolution"))
    vote_numerator = _positive(2, _("votes needed: numerator"))
    vote_denominator = _positive(3, _("votes needed: denominator"))
    # Quy định 29 §4.2c: the chi bộ's votes on recognising a probationer or proposing their removal (not the
    # admission vote, which an earlier version of the rules counted here).
    max_failed_votes = _positive(
        3, _("recognition or removal votes short of the threshold before the case goes to the superior committee")
    )
    decision_working_days = _positive(60, _("decision due within (working days of the branch vote)"))
    decision_extension_working_days = _positive(30, _("decision deadline extension, at most (working days)"))
    ceremony_working_days = _positive(30, _("ceremony due within (working days of the decision)"))
    probation_months = _positive(12, _("probation (months from the ceremony)"))
    recognition_vote_working_days = _positive(
        30, _("branch considers recognition within (working days after probation ends)")
    )
    recognition_decision_working_days = _positive(
        30, _("recognition decided within (working days of the branch's consideration)")
    )
    recognition_extension_working_days = _positive(30, _("recognition deadline extension, at most (working days)"))
    readmission_wait_months = _positive(36, _("readmission: months since leaving the Party"))
    readmission_record_cleared_months = _positive(
        60, _("readmission after a less serious crime: months since the record was cleared")
    )
    transfer_registration_working_days = _positive(
        30, _("a transfer is registered by the receiving cell within (working days of the transfer)")
    )
    # Charter Điều 4: "người vào Đảng trong độ tuổi thanh niên phải là đoàn viên", introduced by the Youth Union's
    # grassroots committee and one official member. Youth age is that of the Youth Union's members: up to 30.
    youth_age_max_years = _positive(30, _("youth age: up to (full years, at the branch vote)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age_months__lt=F("max_age_months")), name="recruitment_ruleset_age_range"
            ),
            models.CheckConstraint(
                condition=Q(vote_numerator__gt=0) & Q(vote_numerator__lte=F("vote_denominator")),
                name="recruitment_ruleset_vote_fraction",
            ),
            models.CheckConstraint(condition=Q(probation_months__gt=0), name="recruitment_ruleset_probation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%d/%m/%Y} – {self.legal_basis}"

    def vote_passes(self, votes_for: int, members: int) -> bool:
        """At least numerator/denominator of the members voted for (compared in whole numbers)."""
        return members > 0 and votes_for * self.vote_denominator >= members * self.vote_numerator


class Stage(models.TextChoices):
    SOURCE = "source", _("On the source list")
    AWARENESS = "awareness", _("Awareness course completed")
    DOSSIER = "dossier", _("Preparing the dossier")
    BRANCH_VOTED = "branch_voted", _("Voted by the party cell")
    COMMITTEE_REVIEWED = "committee_reviewed", _("Reviewed by the grassroots committee")
    DECIDED = "decided", _("Admission decided")
    PROBATION = "probation", _("Probationary member")
    OFFICIAL = "official", _("Full member")
    REMOVED = "removed", _("Removed from the source list")
    NOT_ADMITTED = "not_admitted", _("Not admitted")
    STRUCK_OFF = "struck_off", _("Struck off during probation")
    TRANSFERRED = "transferred", _("Transferred out")


# Stages that end a candidacy without membership; a person may be put on a list again afterwards.
ENDED_STAGES = frozenset({Stage.REMOVED, Stage.NOT_ADMITTED, Stage.STRUCK_OFF, Stage.TRANSFERRED})
ADMITTED_STAGES = frozenset({Stage.PROBATION, Stage.OFFICIAL, Stage.STRUCK_OFF})
# Before the cell votes: the dossier, introducers included, can still change.
DOSSIER_STAGES = frozenset({Stage.SOURCE, Stage.AWARENESS, Stage.DOSSIER})
# The order of the pipeline, for sorting and for the stage a record of dates implies.
PIPELINE = (
    Stage.SOURCE,
    Stage.AWARENESS,
    Stage.DOSSIER,
    Stage.BRANCH_VOTED,
    Stage.COMMITTEE_REVIEWED,
    Stage.DECIDED,
    Stage.PROBATION,
    Stage.OFFICIAL,
)
# Not admitted yet: the people the dashboards count "in the pipeline".
BEFORE_ADMISSION = PIPELINE[: PIPELINE.index(Stage.PROBATION)]


class RemovalReason(models.TextChoices):
    """Why a person left the list (CONTRACT §3's Lý do; DOMAIN §8–9): the template's dropdown, by code or label."""

    NOT_ADMITTED = "not_admitted", pgettext_lazy("removal reason", "Not admitted")
    WITHDREW = "withdrew", pgettext_lazy("removal reason", "Withdrew from the list")
    STRUCK_OFF = "struck_off", pgettext_lazy("removal reason", "Struck off the probationary list")
    MOVED_AWAY = "moved_away", pgettext_lazy("removal reason", "Moved away before admission")
    DIED = "died", pgettext_lazy("removal reason", "Died")
    OTHER = "other", pgettext_lazy("removal reason", "Other reason")


def _ending(stages: tuple[Stage, ...], to: Stage) -> dict[str, str]:
    return dict.fromkeys(stages, to)


# Each reason: the stages a person may leave from with it, and the stage the candidacy then ends in.
# - The chi bộ's list ends in REMOVED before its vote; once it has voted, the end is NOT_ADMITTED
#   (the person leaves without admission). Only after a vote, review or decision can admission be
#   refused, so `not_admitted` needs one.
# - A probationer is a party member: probation ends in recognition or in removal from the
#   probationary list, and in no other way (DOMAIN §3: "no extension exists: the outcome is
#   recognition or removal"). So a probationer who dies, withdraws or leaves for another reason ends
#   in STRUCK_OFF too, where the admission stays counted; the reason code tells why.
# - `moved_away` is the candidate's move before the chi bộ votes (TRANSFERRED). A probationary or
#   full member who moves transfers their party activity (DOMAIN §9), which is not a removal.
# - A full member's record may carry the day they left the Party's ranks later (leaving on
#   application, death, another reason): the candidacy stays OFFICIAL, it ended in membership.
_BEFORE_VOTE = (Stage.SOURCE, Stage.AWARENESS, Stage.DOSSIER)
_AFTER_VOTE = (Stage.BRANCH_VOTED, Stage.COMMITTEE_REVIEWED, Stage.DECIDED)
_LEAVING = {
    **_ending(_BEFORE_VOTE, Stage.REMOVED),
    **_ending(_AFTER_VOTE, Stage.NOT_ADMITTED),
    Stage.PROBATION: Stage.STRUCK_OFF,
    Stage.OFFICIAL: Stage.OFFICIAL,
}
REMOVAL_OUTCOMES: dict[str, dict[str, str]] = {
    RemovalReason.NOT_ADMITTED: _ending(_AFTER_VOTE, Stage.NOT_ADMITTED),
    RemovalReason.WITHDREW: _LEAVING,
    RemovalReason.STRUCK_OFF: {Stage.PROBATION: Stage.STRUCK_OFF},
    RemovalReason.MOVED_AWAY: _ending(_BEFORE_VOTE, Stage.TRANSFERRED),
    RemovalReason.DIED: _LEAVING,
    RemovalReason.OTHER: _LEAVING,
}


def removal_outcome(reason: str, before: str) -> str | None:
    """The stage a person at `before` ends in when leaving for `reason`; None when the reason is not possible there."""
    return REMOVAL_OUTCOMES.get(reason, {}).get(before)


def reasons_ending_in(stage: str) -> list[str]:
    """The reasons that can end a candidacy in `stage`, in the dropdown's order."""
    return [r for r in RemovalReason.values if stage in REMOVAL_OUTCOMES[r].values()]


def reasons_from(before: str) -> list[str]:
    """The reasons a person at the stage `before` may leave for, in the dropdown's order."""
    return [r for r in RemovalReason.values if before in REMOVAL_OUTCOMES[r]]


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class OccupationGroup(models.TextChoices):
    WORKER = "worker", _("Worker")
    FARMER = "farmer", _("Farmer")
    CIVIL_SERVANT = "civil_servant", _("Civil servant")
    PUBLIC_EMPLOYEE = "public_employee", _("Public-service employee")
    BUSINESS_EMPLOYEE = "business_employee", _("Business employee")
    BUSINESS_OWNER = "business_owner", _("Private business owner")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    STUDENT = "student", _("Pupil or student")
    OTHER = "other", _("Other")


class ProfessionalLevel(models.TextChoices):
    """Trình độ chuyên môn, nghiệp vụ, in the rows of Biểu 2-BTCTW II.4 (FORMS.md §3); blank: not stated."""

    NONE = "none", _("No professional training")
    ELEMENTARY = "elementary", _("Technical worker, clerk or elementary level")
    INTERMEDIATE = "intermediate", _("Intermediate (trung cấp)")
    COLLEGE = "college", _("College (cao đẳng)")
    UNIVERSITY = "university", _("University")
    MASTER = "master", _("Master's degree")
    DOCTOR = "doctor", _("Doctorate")


class PoliticalTheory(models.TextChoices):
    """Trình độ lý luận chính trị (the registers' column); blank: not stated."""

    NONE = "none", _("No political theory training")
    ELEMENTARY = "elementary", _("Elementary (sơ cấp)")
    INTERMEDIATE = "intermediate", _("Intermediate (trung cấp)")
    ADVANCED = "advanced", _("Advanced (cao cấp)")
    BACHELOR = "bachelor", _("Bachelor (cử nhân)")


class EducationExemption(models.TextChoices):
    NONE = "", _("None")
    AREA = "area", _("Mountain, border, island, ethnic-minority or disadvantaged area; fisherman at sea")
    ELDER = "elder", _("Village elder, hamlet head or respected person (reads and writes Quốc ngữ)")


class LeftPartyReason(models.TextChoices):
    REMOVED = "removed", _("Struck off the Party's list")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    QUIT = "quit", _("Quit, or left on application")
    DISUNITY = "disunity", _("Serious disunity")
    EXPELLED_CORRUPTION = "corruption", _("Convicted of corruption")
    SERIOUS_CRIME = "serious_crime", _("Convicted of a serious or graver crime")
    LESS_SERIOUS_CRIME = "less_serious_crime", _("Convicted of a less serious crime")
    OTHER = "other", _("Other")
    # The exception of 294-QĐ/TW §3.5.2 to "asked to leave": not barred (DOMAIN §9).
    HARDSHIP = "hardship", _("Left on application, for especially hard family circumstances")


# Reasons that bar readmission for good (294-QĐ/TW §3.5).
READMISSION_BARRED = frozenset(
    {
        LeftPartyReason.QUIT,
        LeftPartyReason.DISUNITY,
        LeftPartyReason.EXPELLED_CORRUPTION,
        LeftPartyReason.SERIOUS_CRIME,
    }
)

# A closed record: ended without membership, or a full member who later left the Party's ranks (the
# candidacy stays OFFICIAL with the day they left): the person may be put on a list again (readmission).
CLOSED_Q = Q(stage__in=sorted(ENDED_STAGES)) | Q(stage=Stage.OFFICIAL, removal_date__isnull=False)

national_id_validator = RegexValidator(r"^[0-9]{12}$", _("A citizen ID number has 12 digits."))
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 .]{7,18}[0-9]$", _("A phone number has 9 to 15 digits, optionally with +, spaces or dots.")
)


class CandidateQuerySet(models.QuerySet["Candidate"]):
    def in_subtree(self, org: Organization) -> CandidateQuerySet:
        return self.filter(organization__path__startswith=org.path)

    def open(self) -> CandidateQuerySet:
        return self.exclude(CLOSED_Q)


def _ordered(earlier: str, later: str, *, strict: bool = False) -> Q:
    op = "lt" if strict else "lte"
    return Q(**{f"{earlier}__isnull": True}) | Q(**{f"{later}__isnull": True}) | Q(**{f"{earlier}__{op}": F(later)})


def _order_name(earlier: str, later: str) -> str:
    first, then = earlier.removesuffix("_date"), later.removesuffix("_date")
    return f"recruitment_candidate_{first}_before_{then}"


# (earlier, later, strict): pairs of dates that can never be the other way round.
DATE_ORDER: tuple[tuple[str, str, bool], ...] = (
    ("birth_date", "source_date", True),
    ("birth_date", "awareness_cert_date", True),
    ("birth_date", "application_date", True),
    ("source_date", "branch_vote_date", False),
    ("awareness_cert_date", "branch_vote_date", False),
    ("application_date", "branch_vote_date", False),
    ("personal_history_date", "branch_vote_date", False),
    ("verification_date", "branch_vote_date", False),
    ("residence_comment_date", "branch_vote_date", False),
    ("branch_vote_date", "committee_review_date", False),
    ("branch_vote_date", "decision_date", False),
    ("committee_review_date", "decision_date", False),
    ("decision_date", "admission_date", False),
    ("decision_date", "decision_received_date", False),
    ("decision_received_date", "admission_date", False),
    ("provincial_consent_date", "decision_date", False),  # the over-60 consent comes before the decision
    ("admission_date", "new_member_course_date", False),  # the course for new (probationary) members
    ("new_member_course_date", "recognition_vote_date", False),  # its certificate is in the recognition file
    ("admission_date", "probation_end", True),
    ("probation_end", "recognition_vote_date", False),
    ("recognition_vote_date", "recognition_date", False),
    ("probation_end", "recognition_date", False),
    ("source_date", "removal_date", False),
    ("admission_date", "removal_date", False),  # struck off, or leaving as a member, after the ceremony
)


def _transitions() -> dict[str, frozenset[str]]:
    ahead: dict[str, set[str]] = {
        Stage.SOURCE: {Stage.AWARENESS},
        Stage.AWARENESS: {Stage.DOSSIER},
        # A vote short of two thirds leaves the candidate in the dossier stage (with a stage event).
        Stage.DOSSIER: {Stage.BRANCH_VOTED},
        # DECIDED straight from BRANCH_VOTED only where the chi bộ is itself the grassroots organization.
        Stage.BRANCH_VOTED: {Stage.COMMITTEE_REVIEWED, Stage.DECIDED},
        Stage.COMMITTEE_REVIEWED: {Stage.DECIDED},
        Stage.DECIDED: {Stage.PROBATION},
        Stage.PROBATION: {Stage.OFFICIAL},
    }
    ends = {(before, to) for outcomes in REMOVAL_OUTCOMES.values() for before, to in outcomes.items() if to != before}
    return {stage: frozenset(ahead.get(stage, set()) | {to for b, to in ends if b == stage}) for stage in Stage}


class Candidate(models.Model):
    """One candidacy, with the person's particulars as the chi bộ knows them, the dossier and each act."""

    # The moves along the pipeline, and the ends REMOVAL_OUTCOMES allows from each stage.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = _transitions()

    # Indexed by the first column of (organization, stage): an index of its own only costs every write.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="candidates",
        verbose_name=_("party cell"),
        db_index=False,
    )

    # The person, as on the people sheet.
    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    # Blank: not stated (recruitment.particulars); the reports count it apart.
    ethnicity = models.CharField(
        _("ethnic group"),
        max_length=20,
        choices=[(e, e) for e in ETHNIC_GROUPS],
        blank=True,
        help_text=_("Leave empty if not stated."),
    )
    religion = models.CharField(
        _("religion"), max_length=100, blank=True, help_text=_("“Không” for none; leave empty if not stated.")
    )
    national_id = models.CharField(_("citizen ID number"), max_length=12, validators=[national_id_validator])
    youth_union = models.BooleanField(_("Youth Union member"), default=False)
    trade_union = models.BooleanField(_("trade union member"), default=False)
    occupation = models.CharField(_("occupation"), max_length=200, blank=True)
    occupation_group = models.CharField(
        _("occupation group"), max_length=20, choices=OccupationGroup.choices, blank=True
    )
    education = models.CharField(
        _("general education"),
        max_length=10,
        blank=True,
        help_text=_("Grade completed, e.g. 9/12 or 12/12; leave empty if not stated."),
    )
    education_exemption = models.CharField(
        _("education exemption"), max_length=10, choices=EducationExemption.choices, blank=True
    )
    # For the documents and registers (issue 17): optional, blank = not stated.
    home_town = models.CharField(_("home town"), max_length=255, blank=True)
    residence = models.CharField(_("place of residence"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    professional_level = models.CharField(
        _("professional qualification"), max_length=12, choices=ProfessionalLevel.choices, blank=True
    )
    political_theory = models.CharField(
        _("political theory level"), max_length=12, choices=PoliticalTheory.choices, blank=True
    )
    search_key = models.CharField(max_length=250, editable=False, default="")
    # The order of Vietnamese lists: by given name, then the whole name, in the Vietnamese alphabet.
    sort_name = models.CharField(max_length=250, editable=False, default="")

    # The same person's earlier candidacy (same citizen ID): the one a transfer continues, or an ended
    # record (struck off, left, admitted elsewhere) that a new candidacy follows. Set by the services.
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier record of the same person"),
        editable=False,
    )
    # The admission on this record was made by the unit of the earlier record, which a transfer
    # continues: it counts there (DOMAIN §9: "a later transfer moves the person, never the past
    # admission"), not here.
    admission_carried = models.BooleanField(_("admitted in the earlier unit"), default=False, editable=False)

    # Where the candidacy stands. Changed only by the services, which also write a StageEvent.
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SOURCE)
    stage_date = models.DateField(_("stage since"))
    version = models.PositiveIntegerField(default=1, editable=False)

    # Source list and awareness course.
    source_date = models.DateField(_("put on the source list on"), null=True, blank=True)
    awareness_cert_date = models.DateField(_("awareness course certificate issued on"), null=True, blank=True)
    awareness_cert_no = models.CharField(_("certificate number"), max_length=50, blank=True)

    # The dossier (DOMAIN §2).
    application_date = models.DateField(_("application dated"), null=True, blank=True)
    personal_history_date = models.DateField(_("personal history dated"), null=True, blank=True)
    verification_date = models.DateField(_("background verification concluded on"), null=True, blank=True)
    verification_result = models.TextField(_("background verification conclusion"), blank=True)
    residence_comment_date = models.DateField(_("comments from the place of residence dated"), null=True, blank=True)
    mass_org_comment_date = models.DateField(_("comments of the mass organisations dated"), null=True, blank=True)
    provincial_consent_no = models.CharField(
        _("provincial standing committee consent (number)"),
        max_length=50,
        blank=True,
        help_text=_("Needed over 60 years of age, and for the literacy exemption."),
    )
    provincial_consent_date = models.DateField(_("provincial consent dated"), null=True, blank=True)

    # Readmission (kết nạp lại).
    readmission = models.BooleanField(_("readmission"), default=False)
    left_party_date = models.DateField(_("left the Party on"), null=True, blank=True)
    left_party_reason = models.CharField(
        _("reason for leaving the Party"), max_length=20, choices=LeftPartyReason.choices, blank=True
    )
    record_cleared_date = models.DateField(_("criminal record cleared on"), null=True, blank=True)
    previously_readmitted = models.BooleanField(_("already readmitted once before"), default=False)

    # Votes and decision.
    branch_vote_date = models.DateField(_("party cell voted on"), null=True, blank=True)
    branch_vote_members = models.PositiveSmallIntegerField(_("official members of the cell"), null=True, blank=True)
    branch_votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    branch_resolution_no = models.CharField(_("cell resolution number"), max_length=50, blank=True)
    failed_votes = models.PositiveSmallIntegerField(_("votes short of the threshold"), default=0)
    committee_review_date = models.DateField(_("grassroots committee reviewed on"), null=True, blank=True)
    committee_members = models.PositiveSmallIntegerField(_("committee members"), null=True, blank=True)
    committee_votes_for = models.PositiveSmallIntegerField(_("committee votes for"), null=True, blank=True)
    committee_resolution_no = models.CharField(_("committee resolution number"), max_length=50, blank=True)
    decision_no = models.CharField(_("admission decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("admission decision dated"), null=True, blank=True)
    decision_extended = models.BooleanField(_("decision deadline extended"), default=False)
    # The ceremony's 30 working days count from this day ("kể từ ngày nhận được quyết định"); when it is not
    # on record, the decision's date stands in.
    decision_received_date = models.DateField(_("decision received by the cell on"), null=True, blank=True)

    # Ceremony, probation and recognition.
    admission_date = models.DateField(_("admitted (ceremony) on"), null=True, blank=True)
    late_ceremony_consent_no = models.CharField(
        _("superior committee's consent to a late ceremony (number)"), max_length=50, blank=True
    )
    probation_end = models.DateField(_("probation ends on"), null=True, blank=True, editable=False)
    new_member_course_date = models.DateField(_("new-member course certificate issued on"), null=True, blank=True)
    recognition_vote_date = models.DateField(_("party cell considered recognition on"), null=True, blank=True)
    recognition_vote_members = models.PositiveSmallIntegerField(
        _("official members of the cell (recognition)"), null=True, blank=True
    )
    recognition_votes_for = models.PositiveSmallIntegerField(_("votes for recognition"), null=True, blank=True)
    recognition_date = models.DateField(_("recognition decision dated"), null=True, blank=True)
    recognition_decision_no = models.CharField(_("recognition decision number"), max_length=50, blank=True)
    recognition_extended = models.BooleanField(_("recognition deadline extended"), default=False)
    failed_probation_votes = models.PositiveSmallIntegerField(_("recognition votes short of the threshold"), default=0)
    official_date = models.DateField(_("full member from"), null=True, blank=True, editable=False)

    # Leaving the pipeline.
    removal_date = models.DateField(_("left the list on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason"), max_length=20, choices=RemovalReason.choices, blank=True)
    removal_note = models.CharField(_("details of the reason"), max_length=500, blank=True)
    # Striking a probationer off is decided by the competent committee (294 §8.1): its decision's number, and
    # the chi bộ's vote proposing it, where recorded.
    removal_decision_no = models.CharField(_("striking-off decision number"), max_length=50, blank=True)
    removal_vote_members = models.PositiveSmallIntegerField(
        _("official members of the cell (removal)"), null=True, blank=True
    )
    removal_votes_for = models.PositiveSmallIntegerField(_("votes for the removal"), null=True, blank=True)

    # Kept by the services from the dates and the rule set, so lists filter on them in the database.
    cert_expires = models.DateField(_("certificate expires on"), null=True, blank=True, editable=False)
    due_date = models.DateField(_("next deadline"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_key", "sort_name", "version", "updated_at"])

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["sort_name", "pk"]
        indexes = [
            models.Index(fields=["organization", "stage"], name="recruitment_cand_org_stage"),
            # The list's default order: the first page is read off the index, not sorted.
            models.Index(fields=["sort_name", "id"], name="recruitment_cand_sort_name"),
            models.Index(fields=["stage", "due_date"], name="recruitment_cand_stage_due"),
            models.Index(fields=["national_id"], name="recruitment_cand_national_id"),
            models.Index(fields=["probation_end"], name="recruitment_cand_probation_end"),
            # The dashboard's idle units (people waiting in cells that admitted no one): both sides of
            # the anti-join are read from these indexes alone (a country's: 1.2 s → 0.4 s).
            models.Index(fields=["stage", "organization"], name="recruitment_cand_stage_org"),
            # Also serves the ranges of admission dates alone (its first column).
            models.Index(fields=["admission_date", "organization"], name="recruitment_cand_admission_org"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="recruitment_candidate_stage_valid"),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="recruitment_candidate_gender_valid"),
            models.CheckConstraint(
                condition=Q(ethnicity="") | Q(ethnicity__in=ETHNIC_GROUPS),
                name="recruitment_candidate_ethnicity_valid",
            ),
            models.CheckConstraint(
                condition=Exact(Length("national_id"), 12), name="recruitment_candidate_national_id_length"
            ),
            models.UniqueConstraint(
                fields=["national_id"],
                condition=~CLOSED_Q,
                name="recruitment_candidate_one_open_per_national_id",
            ),
            *[
                models.CheckConstraint(
                    condition=_ordered(earlier, later, strict=strict),
                    name=_order_name(earlier, later),
                )
                for earlier, later, strict in DATE_ORDER
            ],
            models.CheckConstraint(
                condition=Q(official_date__isnull=True) | Q(official_date=F("probation_end")),
                name="recruitment_candidate_official_from_probation_end",
            ),
            models.CheckConstraint(
                condition=Q(admission_carried=False) | Q(admission_date__isnull=False, previous__isnull=False),
                name="recruitment_candidate_carried_admission_has_record",
            ),
            models.CheckConstraint(
                condition=Q(decision_date__isnull=True) | ~Q(decision_no=""),
                name="recruitment_candidate_decision_has_number",
            ),
            models.CheckConstraint(
                condition=Q(recognition_date__isnull=True) | ~Q(recognition_decision_no=""),
                name="recruitment_candidate_recognition_has_number",
            ),
            models.CheckConstraint(
                condition=Q(removal_date__isnull=True) | ~Q(removal_reason=""),
                name="recruitment_candidate_removal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(removal_reason="") | Q(removal_reason__in=RemovalReason.values),
                name="recruitment_candidate_removal_reason_valid",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=[Stage.DECIDED, Stage.PROBATION, Stage.OFFICIAL])
                | Q(decision_date__isnull=False),
                name="recruitment_candidate_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=sorted(ADMITTED_STAGES)) | Q(admission_date__isnull=False),
                name="recruitment_candidate_admitted_has_ceremony",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.OFFICIAL) | Q(recognition_date__isnull=False, official_date__isnull=False),
                name="recruitment_candidate_official_is_recognized",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=sorted(ENDED_STAGES)) | Q(removal_date__isnull=False),
                name="recruitment_candidate_ended_has_date",
            ),
            models.CheckConstraint(
                condition=Q(branch_votes_for__isnull=True)
                | Q(branch_vote_members__isnull=True)
                | Q(branch_votes_for__lte=F("branch_vote_members")),
                name="recruitment_candidate_branch_votes_within_members",
            ),
            models.CheckConstraint(
                condition=Q(committee_votes_for__isnull=True)
                | Q(committee_members__isnull=True)
                | Q(committee_votes_for__lte=F("committee_members")),
                name="recruitment_candidate_committee_votes_within_members",
            ),
            models.CheckConstraint(
                condition=Q(recognition_votes_for__isnull=True)
                | Q(recognition_vote_members__isnull=True)
                | Q(recognition_votes_for__lte=F("recognition_vote_members")),
                name="recruitment_candidate_recognition_votes_within_members",
            ),
            models.CheckConstraint(
                condition=Q(removal_votes_for__isnull=True)
                | Q(removal_vote_members__isnull=True)
                | Q(removal_votes_for__lte=F("removal_vote_members")),
                name="recruitment_candidate_removal_votes_within_members",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.national_id})"

    def refresh_search_key(self) -> None:
        """The derived keys of the name: the search key, and the sort key (given name first)."""
        self.search_key = f"{fold(self.full_name)} {self.national_id}"[:250]
        self.sort_name = name_sort_key(self.full_name)

    @property
    def is_open(self) -> bool:
        """Not closed (CLOSED_Q): still on its way, or a member who has not left."""
        return self.stage not in ENDED_STAGES and not (self.stage == Stage.OFFICIAL and self.removal_date)

    def allowed_stages(self) -> frozenset[str]:
        return self.TRANSITIONS[self.stage]

    def can_move_to(self, stage: str) -> bool:
        return stage in self.TRANSITIONS[self.stage]

    def skips_committee_review(self) -> bool:
        """A chi bộ cơ sở is its own grassroots organization: there is no đảng ủy cơ sở to review."""
        from organizations.models import Kind

        return self.organization.kind == Kind.BASE_BRANCH

    def age_in_months(self, on: datetime.date) -> int:
        from recruitment.rules import months_between

        return months_between(self.birth_date, on)


class IntroducerKind(models.TextChoices):
    MEMBER = "member", _("Official party member")
    YOUTH_UNION = "youth_union", _("Resolution of the grassroots Youth Union committee")
    TRADE_UNION = "trade_union", _("Resolution of the grassroots trade union committee")


class Introducer(models.Model):
    """Who introduced the applicant (Charter Điều 4): two official members, or a union resolution and one member."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="introducers")
    kind = models.CharField(_("introduced by"), max_length=20, choices=IntroducerKind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The member's full name, or the committee that passed the resolution.")
    )
    reference = models.CharField(_("member number or resolution number"), max_length=50, blank=True)
    known_since = models.DateField(_("has worked, studied or lived with the applicant since"), null=True, blank=True)
    introduced_on = models.DateField(_("introduction dated"))
    is_replacement = models.BooleanField(
        _("assigned by the cell to replace an introducer who left"),
        default=False,
        help_text=_("A replacement need not have known the applicant for the usual time."),
    )
    # Charter Điều 4: an introducer is an official member of the same grassroots organization. The tracker holds
    # no roll of members, so the cell declares it; empty (introducers recorded before 2026-12) is unknown.
    official_member_here = models.BooleanField(
        _("an official member of the same grassroots organization"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("introducer")
        verbose_name_plural = _("introducers")
        ordering = ["introduced_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IntroducerKind.values), name="recruitment_introducer_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=IntroducerKind.MEMBER) | Q(known_since__isnull=False) | Q(is_replacement=True),
                name="recruitment_introducer_member_known_since",
            ),
            models.CheckConstraint(
                condition=Q(known_since__isnull=True) | Q(known_since__lte=F("introduced_on")),
                name="recruitment_introducer_known_before_introduction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class StageEvent(models.Model):
    """One act in a candidacy: who recorded it and when, the day of the act and its document."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    act_date = models.DateField(_("date of the act"))
    document_no = models.CharField(_("document number"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        ordering = ["act_date", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(to_stage__in=Stage.values), name="recruitment_stageevent_to_valid"),
            models.CheckConstraint(
                condition=Q(from_stage="") | Q(from_stage__in=Stage.values), name="recruitment_stageevent_from_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.from_stage} → {self.to_stage} ({self.act_date:%d/%m/%Y})"

    @property
    def stayed(self) -> bool:
        """The act left the stage as it was (a vote short of the threshold)."""
        return self.from_stage == self.to_stage

    @property
    def removal_reason_label(self) -> str:
        """The label of the reason a leaving act recorded ("" for the other acts)."""
        code = self.details.get("removal_reason", "") if isinstance(self.details, dict) else ""
        return str(RemovalReason(code).label) if code in RemovalReason.values else code


class WarningCode(models.TextChoices):
    DECISION_LATE = "decision_late", _("Admission decided after the deadline")
    CEREMONY_LATE = "ceremony_late", _("Ceremony held after the deadline without the superior committee's consent")
    RECOGNITION_VOTE_LATE = "recognition_vote_late", _("Recognition considered after the deadline")
    RECOGNITION_LATE = "recognition_late", _("Recognition decided after the deadline")
    VOTES_FAILED = "votes_failed", _("Voted down repeatedly: report to the superior committee")
    TRANSFER_LATE = "transfer_late", _("Transfer registered after the deadline")


class CandidateWarning(models.Model):
    """A missed deadline or a case to report upward. It stays visible until someone records how it was handled."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="warnings")
    code = models.CharField(_("warning"), max_length=30, choices=WarningCode.choices)
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    act_date = models.DateField(_("date of the act"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("how it was handled"), blank=True)

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__in=WarningCode.values), name="recruitment_candidatewarning_code_valid"
            ),
            models.UniqueConstraint(
                fields=["candidate", "code"],
                condition=Q(resolved_at__isnull=True),
                name="recruitment_candidatewarning_one_open_per_code",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="recruitment_candidatewarning_resolution_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.code}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AccessKind(models.TextChoices):
    PERSON = "person", _("Opened a person's page")
    EXPORT = "export", _("Exported the candidate list")
    AUDIT_EXPORT = "audit_export", _("Exported the personal data access log")
    DOCUMENT = "document", _("Downloaded a person's document")


class PersonalDataAccess(models.Model):
    """Who saw whose personal data: a person's page opened, a list exported. One row per access, written
    in the same request (one INSERT) and never changed; organization is the unit the access concerns
    (the person's cell, or the unit whose list was exported), so that an administrator of its subtree
    reads it in the access log and nobody else does."""

    at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (user, at) index serves it
    )
    username = models.CharField(_("user"), max_length=150)  # kept when the account is deleted
    kind = models.CharField(_("kind of access"), max_length=16, choices=AccessKind.choices)
    organization = models.ForeignKey(  # the (organization, at) index serves it
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    filters = models.CharField(_("filters"), max_length=1000, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="recruitment_pda_at"),
            models.Index(fields=["organization", "-at"], name="recruitment_pda_org_at"),
            models.Index(fields=["user", "-at"], name="recruitment_pda_user_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AccessKind.values), name="recruitment_pda_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class TransferKind(models.TextChoices):
    PERMANENT = "permanent", _("Permanent transfer")
    TEMPORARY = "temporary", _("Temporary transfer")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the receiving cell to register")
    REGISTERED = "registered", _("Registered by the receiving cell")
    LEFT = "left", _("Left for a unit outside the system")
    TEMPORARY = "temporary", _("Temporarily attached elsewhere")
    CANCELLED = "cancelled", _("Cancelled")


class Transfer(models.Model):
    """A transfer of party activity (DOMAIN §9), recorded by the sending cell on the person's record.

    Permanent: pending until the receiving cell registers the person, which ends this record and opens
    the person's record there (`registered_as`, whose `previous` is `candidate`); to a unit outside the
    system, the record ends on the day of the transfer. Temporary: the person stays and counts at home.
    recruitment.transfers holds the services; nothing else writes these rows.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(_("kind of transfer"), max_length=10, choices=TransferKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=TransferStatus.choices)
    sent_on = models.DateField(_("transferred on"))
    # Required on the web's form; a workbook's transfer has no column for it (blank: not on record).
    document_no = models.CharField(_("transfer letter number"), max_length=50, blank=True)
    from_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("sending cell")
    )
    to_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("receiving cell"),
    )
    destination = models.CharField(
        _("destination outside the system"), max_length=255, blank=True, help_text=_("Where the person goes.")
    )
    until = models.DateField(_("until"), null=True, blank=True)
    due_date = models.DateField(_("to be registered by"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_as = models.OneToOneField(
        Candidate, on_delete=models.PROTECT, null=True, blank=True, related_name="registered_by_transfer"
    )
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["sent_on", "pk"]
        indexes = [models.Index(fields=["status", "to_org"], name="recruitment_transfer_status_to")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransferKind.values), name="recruitment_transfer_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=TransferStatus.values), name="recruitment_transfer_status_valid"
            ),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(status__in=["pending", "temporary"]),
                name="recruitment_transfer_one_open_per_candidate",
            ),
            models.CheckConstraint(
                condition=Q(to_org__isnull=False) | ~Q(destination=""),
                name="recruitment_transfer_has_destination",
            ),
            models.CheckConstraint(
                condition=Q(kind="temporary") | Q(until__isnull=True), name="recruitment_transfer_until_temporary"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("sent_on")),
                name="recruitment_transfer_sent_before_until",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(kind="permanent", to_org__isnull=False),
                name="recruitment_transfer_pending_to_a_cell",
            ),
            models.CheckConstraint(
                condition=~Q(status="temporary") | Q(kind="temporary"),
                name="recruitment_transfer_temporary_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(kind="permanent", to_org__isnull=True),
                name="recruitment_transfer_left_outside",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="registered", registered_on__isnull=False, registered_as__isnull=False)
                    | (~Q(status="registered") & Q(registered_on__isnull=True, registered_as__isnull=True))
                ),
                name="recruitment_transfer_registered_has_record",
            ),
            models.CheckConstraint(
                condition=Q(registered_on__isnull=True) | Q(registered_on__gte=F("sent_on")),
                name="recruitment_transfer_sent_before_registered",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_on__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_on__isnull=True)),
                name="recruitment_transfer_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.kind} {self.sent_on:%d/%m/%Y}"

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING


class CorrectionKind(models.TextChoices):
    CORRECT = "correct", _("Corrected")
    UNDO = "undo", _("Undone")


class StageCorrection(models.Model):
    """A recorded step corrected or undone (recruitment.corrections): what changed, why, who and when.

    A correction brings the step's StageEvent to the corrected values and keeps here every value it
    replaced ({field: [before, after]}, dates in ISO); an undone step's event stays in the timeline,
    marked undone by its correction of kind `undo`. Never changed once written.
    """

    event = models.ForeignKey(StageEvent, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind of correction"), max_length=10, choices=CorrectionKind.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason for the correction"))
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    class Meta:
        verbose_name = _("correction of a step")
        verbose_name_plural = _("corrections of steps")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CorrectionKind.values), name="recruitment_stagecorrection_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="recruitment_stagecorrection_reason_given"),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(kind=CorrectionKind.UNDO),
                name="recruitment_stagecorrection_one_undo_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.kind} ({self.at:%Y-%m-%d %H:%M})"
