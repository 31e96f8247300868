from django import template

from helpdesk.selectors import is_helpdesk_agent

register = template.Library()


@register.filter
def helpdesk_agent(user) -> bool:
    return is_helpdesk_agent(user)
