from __future__ import annotations

import io
from functools import partial
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organizations import access, selectors
from organizations.models import Organization
from recruitment.filters import NOT_ON_RECORD, WAITING
from recruitment.models import Stage
from reports import charts, exports, terms
from reports.attainment import BREAKDOWNS, PIPELINE_STAGES, Attainment, Row, attainment
from reports.forms import Period, PeriodForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dashboard_for(request: HttpRequest) -> tuple[Organization | None, PeriodForm, Attainment | None]:
    """The organization (?org= within scope, else the user's own) and its attainment for the chosen period."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"year": today.year})
    if request.GET.get("org"):
        org = access.get_organization_for_user(request.user, request.GET["org"])
    else:
        roots = access.scope_roots(request.user)
        if not roots:
            return None, form, None
        org = roots[0]
    valid = form.is_bound and form.is_valid()
    period = form.period() if valid else Period(today.year, today.year)
    as_of = form.cleaned_data.get("as_of") if valid else None
    return org, form, attainment(org, period, as_of=as_of, today=today)


def _period_query(att: Attainment) -> dict[str, str]:
    p = att.period
    query = {"term": str(p)} if p.is_term else {"year": str(p.first_year)}
    if att.cutoff < p.end:
        query["as_of"] = att.cutoff.isoformat()
    return query


def _drill(att: Attainment) -> dict[str, str]:
    """Query strings of the candidate list behind each kind of figure (append &org=CODE)."""
    span = {"from": att.period.start.isoformat(), "to": att.cutoff.isoformat()}
    tree = {"tree": att.tree_day.isoformat()} if att.tree_day < att.today else {}
    admitted = {"admitted_from": span["from"], "admitted_to": span["to"], "o": "admitted", **tree}
    return {
        "admitted": urlencode(admitted),
        # The admitted of the period whose admission rests on records not on record (an import's).
        "admitted_not_on_record": urlencode({**admitted, "records": NOT_ON_RECORD}),
        "recognized": urlencode({"recognized_from": span["from"], "recognized_to": span["to"], **tree}),
        "struck_off": urlencode({"stage": Stage.STRUCK_OFF, "removed_from": span["from"], "removed_to": span["to"]}),
        "open": urlencode({"stage": WAITING}),  # the people counted "in the pipeline": not admitted yet
    }


def _child_rows(att: Attainment) -> list[tuple[Row, dict[str, object] | None]]:
    """Each unit directly under, with how it ended (`_closed`) or None."""
    closed = _closed(att)
    return [(row, closed.get(row.org.pk)) for row in att.children]


def _closed(att: Attainment) -> dict[int, dict[str, object]]:
    """The units directly under that have ended, by id: the day they ended and, for a merged one, the unit it
    went into, named only within the organization shown (its reader's scope; README, "Security"). One
    query, and only when a unit has a successor."""
    ended = [r.org for r in att.children if r.org.valid_to is not None]
    ids = {o.successor_id for o in ended if o.successor_id is not None}
    found = {o.pk: o for o in Organization.objects.filter(pk__in=ids).only("id", "path", "name", "code")} if ids else {}
    out: dict[int, dict[str, object]] = {}
    for o in ended:
        successor = found.get(o.successor_id) if o.successor_id is not None else None
        inside = successor is not None and successor.path.startswith(att.org.path)
        out[o.pk] = {"on": o.valid_to, "merged": o.successor_id is not None, "into": successor if inside else None}
    return out


def _charts(att: Attainment) -> dict[str, object]:
    """The data of the three charts, for json_script (numbers only; labels are already translated)."""
    curve = att.target_curve()
    return {
        "months": [m.strftime("%m/%Y") for m, _n, _c in att.months],
        "cumulative": [c if m <= att.cutoff and m <= att.today else None for m, _n, c in att.months],
        "target": [float(v) for _m, v in curve],
        "children": [r.org.name for r in att.children],
        "children_percent": [float(r.percent) if r.percent is not None else None for r in att.children],
        "children_admitted": [r.admitted for r in att.children],
        "children_percent_any": any(r.percent is not None for r in att.children),
        **charts.unit_chart([r.percent for r in att.children]),  # the axis's end, the bars beyond it
        "categories": [str(label) for label, _q in BREAKDOWNS.values()],
        "category_counts": [att.total.figures.breakdown[k] for k in BREAKDOWNS],
        "labels": {
            "cumulative": _("Admitted (cumulative)"),
            "target": _("Target, spread evenly"),
            "percent": _("Attainment (%)"),
            "admitted": _("Admitted"),
        },
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The officials' dashboard: ?org=CODE within scope (else the user's own), ?year= or ?term=, ?as_of=."""
    org, form, att = _dashboard_for(request)
    if org is None or att is None:
        return render(request, "reports/no_scope.html", status=403)
    query = _period_query(att)
    ctx = {
        "org": org,
        "form": form,
        "period": att.period,
        "att": att,
        "children": att.children,
        "trail": selectors.trail_in_scope(request.user, org),
        "other_roots": [r for r in access.scope_roots(request.user) if r.pk != org.pk],
        "period_query": urlencode(query),
        "drill": _drill(att),
        "pipeline": [(s, Stage(s).label, att.total.figures.pipeline[s]) for s in PIPELINE_STAGES],
        "child_rows": _child_rows(att),
        "charts": _charts(att),
        "term_lines": terms.describe(att.period, can_name=partial(access.can_read, request.user)),
        "export_query": urlencode({"org": org.code, **query}),
        "can_manage": access.can_manage(request.user, org),
        "people_url": reverse("recruitment:list"),
    }
    return render(request, "reports/home.html", ctx)


def _export_name(att: Attainment, ext: str) -> str:
    return f"ket-qua-ket-nap-{att.org.code}-{att.period}.{ext}"


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    org, _form, att = _dashboard_for(request)
    if org is None or att is None:
        return render(request, "reports/no_scope.html", status=403)
    response = HttpResponse(exports.workbook(att, can_name=partial(access.can_read, request.user)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(att, "xlsx")}"'
    return response


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    org, _form, att = _dashboard_for(request)
    if org is None or att is None:
        return render(request, "reports/no_scope.html", status=403)
    buffer = io.StringIO()
    exports.write_csv(att, buffer, extended=True)
    # A byte-order mark, so Excel opens the UTF-8 file with its Vietnamese letters intact.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(att, "csv")}"'
    return response
