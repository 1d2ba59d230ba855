from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from organizations.models import EventAction, Organization, OrganizationEvent
        from recruitment.models import Candidate
        from reports import tally

        pre_save.connect(tally.candidate_pre_save, sender=Candidate, dispatch_uid="tally_candidate_pre_save")
        post_save.connect(tally.candidate_post_save, sender=Candidate, dispatch_uid="tally_candidate_post_save")
        pre_delete.connect(tally.candidate_pre_delete, sender=Candidate, dispatch_uid="tally_candidate_pre_delete")
        pre_save.connect(tally.organization_pre_save, sender=Organization, dispatch_uid="tally_org_pre_save")
        post_save.connect(tally.organization_post_save, sender=Organization, dispatch_uid="tally_org_post_save")

        def moved(sender: object, instance: OrganizationEvent, created: bool, using: str, **kw: object) -> None:
            if created and instance.action == EventAction.MOVED and not kw.get("raw"):
                tally.organization_moved(instance.organization, instance.from_parent, using)

        post_save.connect(moved, sender=OrganizationEvent, weak=False, dispatch_uid="tally_org_moved")
