"""Template tags of the reports app for other apps' pages (which cannot import reports: organizations ←
recruitment ← reports)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from reports.documents import dossier

register = template.Library()


@register.inclusion_tag("reports/person_documents.html", takes_context=True)
def person_documents(context: template.Context, candidate: Any) -> dict[str, Any]:
    """{% person_documents c %}: the person's documents to download (reports.documents.dossier), for staff and
    administrators of the person's unit (the page's `can_write`); no query."""
    allowed = bool(context.get("can_write"))
    links = []
    if allowed:
        for offer in dossier.offered(candidate):
            url = reverse("documents:person", args=[candidate.pk, offer.document.key])
            links.append({"label": offer.document.label, "url": url, "draft": offer.draft})
    return {"allowed": allowed, "links": links}
