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

from django.conf import settings
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


def test_private_media_keep_their_restrictive_mode():
    assert storages["default"].file_permissions_mode == settings.FILE_UPLOAD_PERMISSIONS
    assert settings.FILE_UPLOAD_PERMISSIONS & 0o007 == 0
