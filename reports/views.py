from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from organizations import access, selectors
from reports.forms import Period, PeriodForm


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home: their own organization, or ?org=CODE within their scope."""
    form = PeriodForm(request.GET or None, initial={"year": timezone.localdate().year})
    roots = access.scope_roots(request.user)
    if request.GET.get("org"):
        org = access.get_organization_for_user(request.user, request.GET["org"])
    elif roots:
        org = roots[0]
    else:
        return render(request, "reports/no_scope.html", status=403)
    period = form.period() if form.is_bound and form.is_valid() else Period(*(2 * [timezone.localdate().year]))
    kids = selectors.children_of([org])[org.path]
    ctx = {
        "org": org,
        "form": form,
        "period": period,
        "children": kids,
        "trail": selectors.trail_in_scope(request.user, org),
        "other_roots": [r for r in roots if r.pk != org.pk],
    }
    return render(request, "reports/home.html", ctx)
