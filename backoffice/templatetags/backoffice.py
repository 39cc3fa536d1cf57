from django import template

from backoffice.queues import backoffice_queues as _queues

register = template.Library()


@register.simple_tag
def backoffice_queues():
    return _queues()
