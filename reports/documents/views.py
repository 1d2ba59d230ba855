"""The download of a person's documents: staff and administrators whose scope covers the person's cell.

A viewer may read the person's page and download reports, not the personal documents (403); outside the scope,
404 as everywhere. Each download is written to the personal-data access log.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from organizations import access as org_access
from recruitment import access, audit
from reports.documents import dossier
from reports.documents.render import docx_response, render_docx


@login_required
@require_GET
def person_document(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    candidate = access.get_candidate_for_user(request.user, pk, write=True)
    offer = dossier.offer_for(candidate, key)
    if offer is None:
        raise Http404
    introducers = list(candidate.introducers.all())
    try:
        form_context = dossier.context(
            candidate, key, introducers=introducers, readable=lambda org: org_access.can_read(request.user, org)
        )
    except dossier.NotReadable:
        raise Http404 from None
    data = render_docx(form_context["template"], form_context)
    audit.record_document(request.user, candidate, dossier.file_name(candidate, offer.document))
    return docx_response(data, dossier.file_name(candidate, offer.document))
