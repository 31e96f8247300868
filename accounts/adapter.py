from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from accounts.models import User
from notifications.services import email_queue

# allauth emails that share one of our templates (templates/emails/<name>_*.txt|html).
SHARED_TEMPLATES = {
    "account/email_confirmation_signup": "account/email_confirmation",
    "account/password_reset": "account/password_changed",
    "account/password_set": "account/password_changed",
}


def outbox_template(template_prefix: str) -> str:
    """allauth's "account/email/password_reset_key" is our "account/password_reset_key"."""
    name = template_prefix.replace("/email/", "/", 1)
    if name.startswith("mfa/"):
        return "mfa/two_step_changed"
    return SHARED_TEMPLATES.get(name, name)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every allauth email goes through the outbox, in the recipient's language."""
        recipient = User.objects.filter(email__iexact=email).only("preferred_language").first()
        email_queue(
            recipient=email,
            template=outbox_template(template_prefix),
            context=context,
            language=recipient.preferred_language if recipient else translation.get_language(),
        )
