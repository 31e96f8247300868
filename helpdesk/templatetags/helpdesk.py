from django import template

from accounts.scoping import is_helpdesk_agent

register = template.Library()


@register.filter
def helpdesk_agent(user) -> bool:
    return is_helpdesk_agent(user)
