"""Private storage on an S3-compatible service (django-storages), against moto's server."""

import os
import socket
import subprocess
import sys
import time

import boto3
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from documents import publishing, services
from documents.models import ReportCardFile
from tests.conftest import require
from tests.documents.factories import make_card, make_period
from tests.real_services import free_port

BUCKET = "portail-prive"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test",
               "region_name": "us-east-1"}


@pytest.fixture
def s3_endpoint(tmp_path):
    try:
        import moto.server  # noqa: F401 - only to know it is there
    except ImportError:
        require(False, "needs moto's server: pip install 'moto[server]'")
    port = free_port()
    log = (tmp_path / "moto.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto's server did not start: {(tmp_path / 'moto.log').read_text()}")
            time.sleep(0.1)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS).create_bucket(Bucket=BUCKET)
    yield endpoint
    process.terminate()
    process.wait(10)
    log.close()


def test_the_settings_put_private_files_in_the_bucket_unreadable_without_a_signature(
        s3_endpoint):
    """settings.py as production reads it: PRIVATE_STORAGE_BUCKET and its companions."""
    script = (
        "import django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import storages\n"
        "storage = storages['private']\n"
        "name = storage.save('report-cards/essai.pdf', ContentFile(b'%PDF-1.7 essai'))\n"
        "print(type(storage).__name__, name, storage.open(name).read().decode())\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portail.settings",
           "PRIVATE_STORAGE_BUCKET": BUCKET, "PRIVATE_STORAGE_ENDPOINT_URL": s3_endpoint,
           "PRIVATE_STORAGE_ACCESS_KEY": "test", "PRIVATE_STORAGE_SECRET_KEY": "test",
           "PRIVATE_STORAGE_REGION": "us-east-1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR,  # noqa: S603
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "report-cards/essai.pdf", "%PDF-1.7", "essai"]

    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    stored = client.get_object(Bucket=BUCKET, Key="report-cards/essai.pdf")
    assert stored["Body"].read() == b"%PDF-1.7 essai"
    grants = client.get_object_acl(Bucket=BUCKET, Key="report-cards/essai.pdf")["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only


@pytest.mark.django_db
def test_a_report_card_rendered_to_the_bucket_is_served_to_the_parent(
        s3_endpoint, monkeypatch, client, family):
    storage = S3Storage(bucket_name=BUCKET, endpoint_url=s3_endpoint, access_key="test",
                        secret_key="test", region_name="us-east-1", default_acl="private",
                        file_overwrite=False)
    monkeypatch.setattr(ReportCardFile._meta.get_field("file"), "storage", storage)
    child = family.children[0]
    period = make_period(school=child.school, publication_date=timezone.localdate())
    card = make_card(period, child, lines=2)
    services.period_publish(period=period)
    publishing.report_card_render(card_id=card.pk)
    stored = card.files.get()
    assert storage.exists(stored.file.name)

    client.force_login(family.user)
    response = client.get(reverse("students:documents:report_card_download", kwargs={
        "public_id": child.public_id, "card_id": card.public_id}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
