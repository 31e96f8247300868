from django.conf import settings
from django.utils.translation import gettext


def helpdesk_phone() -> str:
    """The help desk's number in the active language: « 613 742-8960, poste 3003 »."""
    if not settings.HELPDESK_PHONE_EXTENSION:
        return settings.HELPDESK_PHONE
    return gettext("%(phone)s, ext. %(extension)s") % {
        "phone": settings.HELPDESK_PHONE, "extension": settings.HELPDESK_PHONE_EXTENSION}


def board(request):
    """The board's identity and help-desk contacts, shown on every page."""
    return {
        "board_name": settings.BOARD_NAME,
        "board_short_name": settings.BOARD_SHORT_NAME,
        "helpdesk_email": settings.HELPDESK_EMAIL,
        "helpdesk_phone": helpdesk_phone(),
    }
