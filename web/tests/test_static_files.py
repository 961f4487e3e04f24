"""Production static files: collectstatic with whitenoise's compressed manifest
storage handles every vendored file (source maps included), and every asset a
page links to exists hashed and compressed."""

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SOURCE = settings.BASE_DIR / "static"
HASHED = re.compile(r"\.[0-9a-f]{12}(\.|$)")


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield root


def test_every_own_and_vendored_file_is_hashed_and_text_is_compressed(collected):
    paths = json.loads((collected / "staticfiles.json").read_text())["paths"]
    ours = [str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*") if p.is_file()]
    assert "vendor/bootstrap/bootstrap.min.css.map" in ours and "js/app.js" in ours
    for name in ours:
        assert name in paths, f"{name} is missing from the manifest"
        hashed = collected / paths[name]
        assert HASHED.search(hashed.name) and hashed.exists(), name
        if hashed.suffix in {".css", ".js", ".map"}:
            assert hashed.with_name(hashed.name + ".gz").exists(), f"{name} is not compressed"


def test_source_map_references_point_at_hashed_maps(collected):
    paths = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for name in ["vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js"]:
        asset = collected / paths[name]
        reference = re.search(r"sourceMappingURL=(\S+?)(?:\s|\*/|$)", asset.read_text()).group(1)
        assert HASHED.search(reference), f"{name} refers to an unhashed map"
        assert (asset.parent / reference).exists()


def test_pages_link_only_to_collected_files(collected, client, db):
    with override_settings(STATIC_ROOT=collected, STORAGES=MANIFEST_STORAGES, WHITENOISE_USE_FINDERS=False):
        html = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert any(a.startswith("js/app.") for a in assets) and any(a.startswith("css/app.") for a in assets)
    for asset in assets:
        assert HASHED.search(asset), f"{asset} is not hashed"
        assert (collected / asset).exists(), asset
