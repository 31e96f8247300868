"""Static files as the image collects them: readable by the user that serves them.

collectstatic runs as root at build time and gunicorn as another user; the image's workers
once died at boot on an unreadable staticfiles.json, when the private media's 0o640 applied
to the static files too.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

ROOT = Path(__file__).resolve().parent.parent


def test_collectstatic_output_is_readable_by_another_user(tmp_path):
    static_root = tmp_path / "static"
    # As the Dockerfile runs it (DEBUG off: the production storage), under a umask that
    # would leave files to their owner if the storage did not set their modes.
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "test-only-collectstatic-key-0123456789-0123456789-0123456789",
        "STATIC_ROOT": str(static_root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, umask=0o077, check=True, timeout=300,
    )

    paths = list(static_root.rglob("*"))
    names = {path.name for path in paths}
    # Guards against a vacuous pass: the manifest, hashed and compressed copies are there.
    assert "staticfiles.json" in names
    assert any(name.startswith("portail.") and name.endswith(".css.gz") for name in names)
    unreadable = [
        str(path.relative_to(static_root))
        for path in [static_root, *paths]
        if not path.stat().st_mode & stat.S_IROTH
        or (path.is_dir() and not path.stat().st_mode & stat.S_IXOTH)
    ]
    assert unreadable == []


@pytest.mark.parametrize(("alias", "closed"), [("default", 0o007), ("private", 0o077)])
def test_media_files_are_written_with_restrictive_modes(tmp_path, alias, closed):
    """Uploads: nothing for other users; report cards (private): nothing beyond the owner.
    Under umask 0, so that the modes come from the storages, not from the process."""
    config = settings.STORAGES[alias]
    if "storages.backends" in config["BACKEND"]:
        pytest.skip("a bucket: access is the bucket's private ACL")
    storage = storages.create_storage(
        {**config, "OPTIONS": {**config.get("OPTIONS", {}), "location": tmp_path}})
    previous = os.umask(0)
    try:
        name = storage.save("carnet/bulletin.pdf", ContentFile(b"%PDF-1.7"))
    finally:
        os.umask(previous)

    for path in [tmp_path / name, (tmp_path / name).parent]:
        assert stat.S_IMODE(path.stat().st_mode) & closed == 0, oct(path.stat().st_mode)
