"""Large trees for query-count tests, written in bulk (the per-node API would take minutes)."""

from __future__ import annotations

from organizations.models import Kind, Organization


def bulk_tree(*, root_code: str, communes: int, bases_per_commune: int) -> Organization:
    """A province with communes and base units: 1 + communes * (1 + bases_per_commune) rows."""
    root = Organization.objects.add_root(
        instance=Organization(code=root_code, name=f"Tỉnh {root_code}", kind=Kind.PROVINCE)
    )
    rows = []
    for i in range(1, communes + 1):
        c_path = Organization._get_path(root.path, 2, i)
        c_code = f"{root_code}.X{i:04d}"
        rows.append(
            Organization(
                code=c_code,
                name=f"Đảng bộ xã Số {i}",
                kind=Kind.COMMUNE,
                path=c_path,
                depth=2,
                numchild=bases_per_commune,
                search_key=f"{c_code.lower()} dang bo xa so {i}",
            )
        )
        for j in range(1, bases_per_commune + 1):
            code = f"{c_code}.{j:04d}"
            rows.append(
                Organization(
                    code=code,
                    name=f"Chi bộ Thôn {j}",
                    kind=Kind.BASE_BRANCH,
                    sector="residential",
                    path=Organization._get_path(c_path, 3, j),
                    depth=3,
                    search_key=f"{code.lower()} chi bo thon {j}",
                )
            )
    Organization.objects.bulk_create(rows, batch_size=2000)
    Organization.objects.filter(pk=root.pk).update(numchild=communes)
    root.refresh_from_db()
    return root
