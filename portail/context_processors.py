from django.conf import settings


def board(request):
    """The board's identity and help-desk contacts, shown on every page."""
    return {
        "board_name": settings.BOARD_NAME,
        "board_short_name": settings.BOARD_SHORT_NAME,
        "helpdesk_email": settings.HELPDESK_EMAIL,
        "helpdesk_phone": settings.HELPDESK_PHONE,
    }
