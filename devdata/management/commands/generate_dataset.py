from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from devdata.dataset import MAX_SEED, SCALES, DatasetRefused, dataset_generate
from organizations.notation import num
from recruitment.models import RuleSet


class Command(BaseCommand):
    help = (
        "Fill the database with a synthetic, realistic dataset for benchmarks and load tests: the tree, party "
        "members counted each year, quotas and candidacies of the last six years and this one. district: about "
        "300 party cells and 8,000 members; province: about 3,000 cells and 150,000 members; national: 34 "
        "provinces under one root (TW), about 250,000 cells, 5.5 million members and 150,000 admissions a year. "
        "The same seed on the same day gives the same data. Only an empty database is filled (users may exist); "
        "with --replace, a database holding nothing but an earlier generated dataset is emptied first. "
        "Generated rows carry no history. "
        "Exit codes: 0 done, 1 the database holds other data (nothing changed), 2 the command line is unusable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", required=True, choices=list(SCALES))
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--replace", action="store_true", help="delete an earlier generated dataset first (and only that)"
        )

    def handle(self, *args: Any, **options: Any) -> str:
        seed = options["seed"]
        if not 0 <= seed <= MAX_SEED:
            raise CommandError(
                _("The seed must be a whole number from 0 to %(max)d.") % {"max": MAX_SEED}, returncode=2
            )
        try:
            s = dataset_generate(
                scale=options["scale"], seed=seed, replace=options["replace"], progress=self.stdout.write
            )
        except DatasetRefused as exc:
            raise CommandError(str(exc), returncode=1) from exc
        except RuleSet.DoesNotExist as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if s.replaced:
            self.stdout.write(_("Deleted the earlier generated dataset."))
        self.stdout.write(
            _("Generated the %(scale)s dataset (seed %(seed)d) in %(seconds)s s: %(root)s.")
            % {
                "scale": SCALES[s.scale].label,
                "seed": s.seed,
                "seconds": number_format(s.seconds, decimal_pos=1),
                "root": f"{s.root_code} – {s.root_name}",
            }
        )
        self.stdout.write(
            _(
                "Organizations: %(total)s (%(communes)s communes and wards, %(grassroots)s grassroots "
                "organizations, %(cells)s party cells)."
            )
            % {
                "total": num(s.organizations),
                "communes": num(s.communes),
                "grassroots": num(s.grassroots),
                "cells": num(s.cells),
            }
        )
        self.stdout.write(
            _("Party members on 31 December %(year)d: %(members)s.")
            % {"year": s.last_full_year, "members": num(s.members)}
        )
        self.stdout.write(
            _("Candidacies: %(total)s, of whom %(admitted)s admitted since 1 January %(first)d.")
            % {"total": num(s.candidates), "admitted": num(s.admitted), "first": s.first_year}
        )
        self.stdout.write(
            _("Quotas: %(quotas)s. Membership counts: %(counts)s.")
            % {"quotas": num(s.quotas), "counts": num(s.membership_counts)}
        )
        return ""
