from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from reports import tally

        # The tallies are kept by the services that write people and the tree, through the explicit hooks
        # of recruitment.derived and organizations.derived (no model signals): see reports.tally.
        tally.register()
