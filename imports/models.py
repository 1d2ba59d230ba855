"""The record of every workbook import (moved from recruitment: its table keeps its name)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Checking")
    READY = "ready", _("Ready to import")
    INVALID = "invalid", _("Errors found")
    APPLYING = "applying", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One workbook import: the file as uploaded, what its check found, and what applying it changed.

    The record of who imported what and when (CONTRACT §2, issue 5 "accountability"): every history
    row an import writes carries its author and the change reason `import:<id>` of its run. The file
    is stored once, in the database, so that any app server or worker can read it; `plan` holds its
    rows as read and normalised, so that confirming does not parse the file again. Both are deleted
    IMPORT_KEEP_DAYS after an ended run (`prune_imports`); who, when, the file's name, size and hash,
    the counts and the first errors stay for good.
    """

    Status = ImportStatus

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.QUEUED: frozenset({Status.VALIDATING, Status.FAILED}),
        Status.VALIDATING: frozenset({Status.READY, Status.INVALID, Status.FAILED, Status.QUEUED, Status.DONE}),
        Status.READY: frozenset({Status.APPLYING, Status.VALIDATING, Status.INVALID, Status.DONE, Status.FAILED}),
        Status.APPLYING: frozenset({Status.DONE, Status.INVALID, Status.FAILED}),
        Status.INVALID: frozenset(),
        Status.DONE: frozenset(),
        Status.FAILED: frozenset(),
    }

    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (created_by, created_at) index serves it
    )
    scope = models.ForeignKey(
        Organization,
        verbose_name=_("scope"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Rows outside this organization's subtree are errors. Empty: the whole tree."),
    )
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content = models.BinaryField(_("file"), editable=False)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    # [{"key", "name", "created", "updated", "unchanged", "errors", "warnings", "notes"}], in apply order.
    summary = models.JSONField(_("summary"), default=list, blank=True)
    # [{"sheet", "row", "column", "message"}]: the first MAX_STORED_ERRORS; error_count has them all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    plan = models.BinaryField(null=True, blank=True, editable=False)
    # Who confirmed the preview (the uploader, or a system administrator); empty for the command line.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    # When `prune_imports` deleted the stored file and plan of this ended run; the record stays.
    file_deleted_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    MAX_STORED_ERRORS = 1000

    class Meta:
        verbose_name = _("workbook import")
        verbose_name_plural = _("workbook imports")
        db_table = "recruitment_importrun"  # the table of the model's first home, kept
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_by", "created_at"], name="recruitment_importrun_user"),
            models.Index(fields=["sha256"], name="recruitment_importrun_sha256"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values),
                name="recruitment_importrun_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(applied_at__isnull=False),
                name="recruitment_importrun_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.filename} ({self.status})"

    @property
    def change_reason(self) -> str:
        """The history_change_reason of every history row this run writes."""
        return f"import:{self.pk}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    class Superseded(Exception):
        """The run is no longer where this process left it: a retried task, or a late original, moved it on."""

    def move_to(self, status: str, **fields: Any) -> None:
        """Change the status (checked against TRANSITIONS) and save it with the given fields, only if the run
        is still in the status this object holds: a worker that stalled, was retried, and woke up after the
        retry finished must not write its result over the run's (ImportRun.Superseded instead)."""
        if not self.can_move_to(status):
            raise ValueError(f"import run {self.pk}: {self.status} → {status} is not allowed")
        moved = type(self)._default_manager.filter(pk=self.pk, status=self.status).update(status=status, **fields)
        if not moved:
            raise ImportRun.Superseded(f"import run {self.pk} is no longer {self.status}")
        self.status = status
        for name, value in fields.items():
            setattr(self, name, value)
