"""Quotas (chỉ tiêu kết nạp) and membership counts, the two figures attainment is measured against."""

from __future__ import annotations

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.models import Organization


class QuotaCategory(models.TextChoices):
    """What a quota counts: all admissions, or one of the breakdowns of DOMAIN §5 (a sub-target)."""

    TOTAL = "", _("All admissions")
    WOMEN = "women", _("Women")
    ETHNIC_MINORITY = "ethnic_minority", _("Ethnic minorities")
    RELIGIOUS = "religious", _("Religious followers")
    YOUTH_UNION = "youth_union", _("Youth Union members")
    YOUNG = "young", _("Aged 30 or under")
    RESIDENTIAL = "residential", _("Residential areas")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    STUDENTS = "students", _("Pupils and students")


class Quota(models.Model):
    """An admission target of one organization (its whole subtree) for a year or a congress term.

    The target is a number, or for a single year a rate: at least `rate` % of the members the
    organization had on 1 January, that is on 31 December of the year before (MembershipCount).
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="quotas",
        verbose_name=_("organization"),
        db_index=False,  # the unique (organization, years, category) index serves it
    )
    first_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(1930), MaxValueValidator(2100)]
    )
    last_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(1930), MaxValueValidator(2100)]
    )
    category = models.CharField(
        _("counts"), max_length=20, choices=QuotaCategory.choices, default=QuotaCategory.TOTAL, blank=True
    )
    target = models.PositiveIntegerField(_("target"), null=True, blank=True)
    rate = models.DecimalField(
        _("rate (per cent of the members on 1 January)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "first_year", "last_year", "category"],
                name="reports_quota_unique_org_period_category",
            ),
            models.CheckConstraint(condition=Q(first_year__lte=F("last_year")), name="reports_quota_period_ordered"),
            models.CheckConstraint(condition=Q(category__in=QuotaCategory.values), name="reports_quota_category_valid"),
            # Exactly one of a number and a rate.
            models.CheckConstraint(
                condition=(Q(target__isnull=False) & Q(rate__isnull=True))
                | (Q(target__isnull=True) & Q(rate__isnull=False)),
                name="reports_quota_target_or_rate",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | Q(first_year=F("last_year")),
                name="reports_quota_rate_for_a_year",
            ),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | (Q(rate__gt=0) & Q(rate__lte=100)),
                name="reports_quota_rate_range",
            ),
        ]
        indexes = [models.Index(fields=["first_year", "last_year", "organization"], name="reports_quota_period_idx")]

    def __str__(self) -> str:
        period = str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}-{self.last_year}"
        return f"{self.organization_id} {period} {self.category or 'total'}"

    def clean(self) -> None:
        super().clean()
        if self.target is None and self.rate is None:
            raise ValidationError(_("Give either a number of admissions or a rate."))
        if self.target is not None and self.rate is not None:
            raise ValidationError(_("Give either a number of admissions or a rate, not both."))
        if self.rate is not None and self.first_year != self.last_year:
            raise ValidationError({"rate": _("A rate applies to a single year; give a term a number.")})
        if self.first_year and self.last_year and self.first_year > self.last_year:
            raise ValidationError({"last_year": _("The term ends before it starts.")})

    def resolve(self, members_at_start: int | None) -> int | None:
        """The number of admissions asked for; a rate needs the members on 1 January (else None)."""
        if self.target is not None:
            return self.target
        if self.rate is None or members_at_start is None:
            return None
        return rate_target(self.rate, members_at_start)


def rate_target(rate: Decimal, members: int) -> int:
    """At least rate % of members, as a whole number of people (rounded up: 7% of 101 is 8)."""
    return math.ceil(Decimal(rate) * members / 100)


class MembershipCount(models.Model):
    """The number of party members of an organization's whole subtree on 31 December of a year."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="membership_counts",
        verbose_name=_("organization"),
        db_index=False,  # the unique (organization, year) index serves it
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1930), MaxValueValidator(2100)])
    members = models.PositiveIntegerField(_("party members on 31 December"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership count")
        verbose_name_plural = _("membership counts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="reports_membershipcount_unique_org_year"),
        ]
        indexes = [models.Index(fields=["year", "organization"], name="reports_membership_year_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}: {self.members}"


def _count(label: str) -> models.IntegerField:
    # Not PositiveIntegerField: a tally gone wrong (rows written behind the app's back) must not
    # stop people's records from being saved; `rebuild_tallies --check` finds and fixes it.
    return models.IntegerField(label, default=0)


class Tally(models.Model):
    """Pre-counted figures of an organization's whole subtree for one month (reports.tally keeps them).

    Only the upper levels of the tree (depth ≤ settings.TALLY_DEPTH) have tallies: a country's or a
    province's dashboard adds up a few hundred of these rows instead of scanning a million people.
    The row with month 0 holds the pipeline as it stands now. Each figure is the same as the
    candidate scan of reports.attainment would count; `python manage.py rebuild_tallies --check`
    compares them.
    """

    # Indexed by the first column of the unique (organization, month).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.PositiveIntegerField(_("month"))  # yyyymm; 0 for the pipeline now
    # Dated: admissions (and their breakdowns) by month of the ceremony, recognitions, removals.
    admitted = _count("admitted")
    recognized = _count("recognized")
    struck_off = _count("struck off")
    removed = _count("left the list")
    b_women = _count("women")
    b_ethnic_minority = _count("ethnic minorities")
    b_religious = _count("religious")
    b_youth_union = _count("Youth Union members")
    b_young = _count("aged 30 or under")
    b_residential = _count("residential areas")
    b_private_sector = _count("private sector")
    b_students = _count("pupils and students")
    # Admissions whose answer a breakdown needs is not stated (recruitment.selectors.NOT_STATED).
    b_ethnicity_not_stated = _count("ethnic group not stated")
    b_religion_not_stated = _count("religion not stated")
    # The pipeline now (month 0 only).
    p_source = _count("source list")
    p_awareness = _count("awareness")
    p_dossier = _count("dossier")
    p_branch_voted = _count("branch voted")
    p_committee_reviewed = _count("committee reviewed")
    p_decided = _count("decided")
    p_probation = _count("probation")

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="reports_tally_unique_org_month"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.month}"


class IssuerLevel(models.TextChoices):
    """Which body of the person's organization tree issues a document (read from the tree on the document's day)."""

    CELL = "cell", _("The person's party cell")
    GRASSROOTS = "grassroots", _("The grassroots party organization (its committee)")
    ABOVE_GRASSROOTS = "above_grassroots", _("The committee directly above the grassroots organization")


class Confidence(models.TextChoices):
    """How sure we are of a form's source (FORMS.md): read in an official text, a secondary source, or inferred."""

    HIGH = "H", _("H: read in an official text")
    MEDIUM = "M", _("M: read in a secondary source")
    LOW = "L", _("L: inferred, not seen")


class Layout(models.TextChoices):
    FOLLOWS_SOURCE = "source", _("Follows a published form")
    OURS = "ours", _("Ours (no published form found)")


class DocumentForm(models.Model):
    """One of the Party's document forms as it stood from a day on: number, title, who issues and signs it,
    its "Căn cứ…" lines and where its layout comes from.

    Data, not code (FORMS.md): a 2025 guidance may have renumbered the forms and the 2025 reform changed
    who signs, so a change is a new row with a later `valid_from`, added in the admin; documents of an
    earlier day keep the row of their day (`reports.documents.render.form_for`).
    """

    key = models.CharField(
        _("document"),
        max_length=50,
        validators=[RegexValidator(r"^[a-z0-9_]+$", _("Lower-case letters, digits and underscores."))],
        help_text=_("A stable name the code refers to, e.g. branch_admission_resolution."),
    )
    valid_from = models.DateField(_("in force from"))
    form_number = models.CharField(
        _("form number"), max_length=20, blank=True, help_text=_("e.g. 6-KNĐ; blank where no official form exists.")
    )
    title = models.CharField(_("kind of document"), max_length=100, help_text=_("e.g. NGHỊ QUYẾT"))
    summary = models.CharField(_("subject line"), max_length=255, help_text=_("e.g. đề nghị kết nạp đảng viên"))
    type_code = models.CharField(_("type code"), max_length=10, blank=True, help_text=_("NQ, QĐ, BB …"))
    issuer_code = models.CharField(_("issuer code"), max_length=10, blank=True, help_text=_("CB, ĐU, HU …"))
    issuer_level = models.CharField(_("issued by"), max_length=20, choices=IssuerLevel.choices)
    legal_basis = models.TextField(
        _("legal basis (Căn cứ…)"), blank=True, help_text=_("One line each, printed as written.")
    )
    signature_authority = models.CharField(
        _("signing on behalf of"), max_length=100, blank=True, help_text=_("e.g. T/M CHI BỘ")
    )
    signature_title = models.CharField(_("signer's title"), max_length=100, blank=True, help_text=_("e.g. BÍ THƯ"))
    recipients = models.TextField(
        _("recipients (Nơi nhận)"),
        blank=True,
        help_text=_(
            "One line each; {cell}, {grassroots}, {competent}, {superior} and {person} are replaced by the names."
        ),
    )
    template = models.CharField(
        _("template"),
        max_length=50,
        blank=True,
        validators=[RegexValidator(r"^[a-z0-9_]+$", _("Lower-case letters, digits and underscores."))],
        help_text=_("The .docx template's name without .docx; blank: the same as the document's."),
    )
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)
    source = models.TextField(_("source"), blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document form")
        verbose_name_plural = _("document forms")
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "valid_from"], name="reports_documentform_one_per_day"),
            models.CheckConstraint(
                condition=Q(issuer_level__in=IssuerLevel.values), name="reports_documentform_issuer_level_valid"
            ),
            models.CheckConstraint(condition=Q(layout__in=Layout.values), name="reports_documentform_layout_valid"),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="reports_documentform_confidence_valid"
            ),
        ]

    def __str__(self) -> str:
        number = f"{self.form_number} " if self.form_number else ""
        return f"{number}{self.title} {self.summary} ({self.valid_from:%d/%m/%Y})"

    @property
    def template_name(self) -> str:
        return self.template or self.key
