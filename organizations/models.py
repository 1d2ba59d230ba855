from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from organizations.text import fold


class Kind(models.TextChoices):
    PROVINCE = "province", _("Provincial party organization")
    DISTRICT = "district", _("District-level party organization (before 7/2025)")
    COMMUNE = "commune", _("Commune, ward or special-zone party organization")
    BASE_COMMITTEE = "base_committee", _("Grassroots party committee")
    BASE_BRANCH = "base_branch", _("Grassroots party cell")
    SUB_COMMITTEE = "sub_committee", _("Partial party committee")
    BRANCH = "branch", _("Subordinate party cell")


# Where candidates and members belong: a party cell, under a grassroots committee or on its own.
CELL_KINDS = frozenset({Kind.BRANCH, Kind.BASE_BRANCH})


class Sector(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential area")
    STATE_AGENCY = "state_agency", _("State agency")
    PUBLIC_SERVICE = "public_service", _("Public service unit")
    SCHOOL = "school", _("School")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    ARMY = "army", _("Army")
    POLICE = "police", _("Police")
    OTHER = "other", _("Other")


code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._\-]*$",
    _("Use letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)


class OrganizationQuerySet(MP_NodeQuerySet):
    """Tree filters in the style of Wagtail's TreeQuerySet: each is one indexed prefix query."""

    def descendant_of_q(self, org: Organization, *, inclusive: bool = True) -> Q:
        q = Q(path__startswith=org.path)
        if not inclusive:
            q &= Q(depth__gt=org.depth)
        return q

    def descendant_of(self, org: Organization, *, inclusive: bool = True) -> OrganizationQuerySet:
        return self.filter(self.descendant_of_q(org, inclusive=inclusive))

    def ancestor_of_q(self, org: Organization, *, inclusive: bool = True) -> Q:
        paths = Organization.ancestor_paths(org.path)
        if inclusive:
            paths.append(org.path)
        return Q(path__in=paths)

    def ancestor_of(self, org: Organization, *, inclusive: bool = True) -> OrganizationQuerySet:
        return self.filter(self.ancestor_of_q(org, inclusive=inclusive))

    def child_of(self, org: Organization) -> OrganizationQuerySet:
        return self.filter(path__startswith=org.path, depth=org.depth + 1)

    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def active_on(self, day: datetime.date) -> OrganizationQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    """A party organization at any level; the tree is a materialised path (treebeard)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=255)
    # Lower-case name and code without diacritics, so "dan chu" finds "Xã Dân Chủ" on any database.
    search_key = models.CharField(max_length=300, editable=False, default="", db_index=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The organization that took over when this one was merged or dissolved."),
    )

    history = HistoricalRecords(excluded_fields=["numchild", "search_key"])
    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        # The roots (depth 1, by code) are read on every page; without it, a scan of 300,000 units.
        indexes = [models.Index(fields=["depth", "code"], name="organizations_depth_code_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="organizations_organization_kind_valid"),
            models.CheckConstraint(
                condition=Q(sector__in=[*Sector.values, ""]),
                name="organizations_organization_sector_valid",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organizations_organization_valid_dates_ordered",
            ),
            # A unit that is no longer active keeps the day it ended, so history can place it.
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(valid_to__isnull=False),
                name="organizations_organization_inactive_has_end",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("id")),
                name="organizations_organization_not_own_successor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @classmethod
    def ancestor_paths(cls, path: str) -> list[str]:
        return [path[: cls.steplen * i] for i in range(1, len(path) // cls.steplen)]

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def refresh_search_key(self) -> None:
        self.search_key = fold(f"{self.code} {self.name}")

    def is_within(self, other: Organization) -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    STAFF = "staff", _("Staff")
    ADMIN = "admin", _("Administrator")


ROLE_RANK = {Role.VIEWER: 1, Role.STAFF: 2, Role.ADMIN: 3}


class Membership(models.Model):
    """A role held by a user on an organization; it covers the organization's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,  # the unique (user, organization) index serves it
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="organizations_membership_unique_user_org"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="organizations_membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organization.code}"

    @property
    def rank(self) -> int:
        return ROLE_RANK[Role(self.role)]


class EventAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    MOVED = "moved", _("moved")
    DISSOLVED = "dissolved", _("dissolved")
    MERGED = "merged", _("merged into another organization")


class OrganizationEvent(models.Model):
    """Audit row for each restructuring of the tree (Zulip's RealmAuditLog).

    Moves rewrite the paths of a whole subtree in one UPDATE, which per-row history does not
    see; these rows keep the old and new parent with the day the change took effect, so the
    tree of any earlier day can be rebuilt and old reports still add up.
    """

    Action = EventAction

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("organization"),
        db_index=False,  # the (organization, effective date) index serves it
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    effective_date = models.DateField(_("effective date"))
    from_parent = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_parent = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    details = models.JSONField(_("details"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization event")
        verbose_name_plural = _("organization events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "effective_date"], name="org_event_org_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=EventAction.values), name="organizations_organizationevent_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.get_action_display()} {self.effective_date}"


# Accounts are audited too: who created a user, changed their name or disabled them.
# Password hashes and sign-in times are left out of the history on purpose.
register(
    User, app="organizations", excluded_fields=["password", "last_login"], table_name="organizations_historicaluser"
)


class Congress(models.Model):
    """The congress (đại hội) that opened one of an organization's terms (nhiệm kỳ), on the day it was held.

    A term runs from its congress to the day before the next one (CONTRACT §4, organizations.terms);
    a unit without a record of its own follows its nearest ancestor that has one. Written only
    through organizations.services.congress_record / congress_remove.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="congresses",
        db_index=False,  # the unique (organization, term) index serves it
    )
    first_year = models.PositiveSmallIntegerField(_("first year of the term"))
    last_year = models.PositiveSmallIntegerField(_("last year of the term"))
    held_on = models.DateField(_("congress held on"))
    document = models.CharField(_("document (resolution, minutes)"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("congress")
        verbose_name_plural = _("congresses")
        ordering = ["organization", "first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "first_year", "last_year"], name="organizations_congress_one_per_term"
            ),
            models.CheckConstraint(
                condition=Q(first_year__lt=models.F("last_year")), name="organizations_congress_years_ordered"
            ),
            models.CheckConstraint(
                condition=Q(first_year__gte=1930, last_year__lte=2100), name="organizations_congress_years_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.term} ({self.held_on:%d/%m/%Y})"

    @property
    def term(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    def clean(self) -> None:
        if self.first_year is None or self.last_year is None or self.held_on is None:
            return
        if not self.first_year < self.last_year:
            raise ValidationError({"last_year": _("A term runs from an earlier year to a later one.")})
        # A term's congress is held around the turn of its first year (a late one early in the next).
        if not self.first_year - 1 <= self.held_on.year <= self.first_year + 1:
            raise ValidationError(
                {
                    "held_on": _("The congress of the term %(term)s is held in %(year)d, or a year before or after.")
                    % {"term": self.term, "year": self.first_year}
                }
            )
