"""Factories for school groups, announcements and their files."""

import datetime
import io
from zoneinfo import ZoneInfo

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from notifications.models import Announcement, Attachment, Group

TORONTO = ZoneInfo("America/Toronto")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Groupe {n}")
    kind = Group.Kind.BOARD


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Annonce {n}")
    body = "Bonjour à **toutes les familles**."
    publish_at = datetime.datetime(2026, 11, 20, 8, 0, tzinfo=TORONTO)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def attach(announcement: Announcement, name: str = "sortie.pdf") -> Attachment:
    content = pdf_bytes() if name.endswith(".pdf") else png_bytes()
    kind = "application/pdf" if name.endswith(".pdf") else "image/png"
    return Attachment.objects.create(
        announcement=announcement, name=name, content_type=kind, size=len(content),
        file=SimpleUploadedFile(f"x.{name.rsplit('.', 1)[-1]}", content))
