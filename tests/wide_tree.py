"""A province with many units directly under it (long names, varied attainment, one far beyond its target),
for the dashboard's unit chart and its print layout (issues 17 and 18). Written in bulk like tests.trees."""

from __future__ import annotations

import datetime

from organizations.models import Kind, Organization
from recruitment.models import Stage
from reports.models import Quota
from tests.people import TIMELINE, make_candidate

OUTLIER = "W.X0007"  # 4 admitted of a target of 1: 400 %


def wide_province(units: int = 32, *, year: int, admitted_on: datetime.date) -> Organization:
    """`units` communes under one province, each with one cell holding its people; quotas for `year`.

    Unit i has a target of 1 + i % 3 and one person admitted (100 %, 50 % or 33,33 %), a few none (0 %),
    OUTLIER four of a target of 1 (400 %).
    """
    root = Organization.objects.add_root(
        instance=Organization(code="W", name="Đảng bộ tỉnh Nhiều Đơn Vị", kind=Kind.PROVINCE)
    )
    rows = []
    for i in range(1, units + 1):
        c_path = Organization._get_path(root.path, 2, i)
        code = f"W.X{i:04d}"
        name = f"Đảng bộ Công ty Trách nhiệm hữu hạn Một thành viên Xây dựng và Thương mại Số {i}"
        rows.append(
            Organization(code=code, name=name, kind=Kind.COMMUNE, path=c_path, depth=2, numchild=1, search_key=code)
        )
        rows.append(
            Organization(
                code=f"{code}.01",
                name=f"Chi bộ Thôn {i}",
                kind=Kind.BASE_BRANCH,
                sector="residential",
                path=Organization._get_path(c_path, 3, 1),
                depth=3,
                search_key=f"{code}.01",
            )
        )
    Organization.objects.bulk_create(rows)
    Organization.objects.filter(pk=root.pk).update(numchild=units)
    root.refresh_from_db()
    shift = admitted_on - TIMELINE["admission_date"]
    timeline = {k: v + shift for k, v in TIMELINE.items()}
    Quota.objects.create(organization=root, first_year=year, last_year=year, target=2 * units)
    for i in range(1, units + 1):
        unit = Organization.objects.get(code=f"W.X{i:04d}")
        cell = Organization.objects.get(code=f"W.X{i:04d}.01")
        outlier = unit.code == OUTLIER
        Quota.objects.create(organization=unit, first_year=year, last_year=year, target=1 if outlier else 1 + i % 3)
        for _n in range(4 if outlier else 0 if i % 5 == 0 else 1):
            make_candidate(cell, Stage.PROBATION, timeline=timeline, today=admitted_on)
    return root
