"""The README's deployment: `collectstatic --noinput` with the production storage (hashed, compressed names)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


class CollectStaticTestCase(SimpleTestCase):
    def test_the_production_storage_collects_every_vendored_file(self) -> None:
        # With DEBUG off, a reference the manifest cannot resolve (chart.umd.min.js named a source map that is
        # not vendored) stopped collectstatic, and every page answered 500 until it ran.
        with tempfile.TemporaryDirectory() as root, override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STATIC):
            call_command("collectstatic", interactive=False, verbosity=0)
            names = {p.name for p in Path(root).rglob("*")}
        for vendored in ("chart.umd.min.js", "htmx.min.js"):
            stem = vendored.removesuffix(".js")
            hashed = [n for n in names if n.startswith(stem + ".") and n.endswith(".js") and n != vendored]
            self.assertTrue(hashed, f"{vendored} has no hashed copy")
            self.assertIn(vendored + ".gz", names)
