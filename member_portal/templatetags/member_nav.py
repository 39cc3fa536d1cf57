"""The member space's menu in templates (entries: ``member_portal/navigation.py``)."""

from django import template

from ..access import member_context
from ..navigation import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def member_menu(context) -> dict:
    """``{"member": MemberContext | None, "main": [...], "account": [...]}``.

    Pages behind ``member_required`` already hold the member; the others (wizard,
    dispensation) read it here, in one query.
    """
    request = context["request"]
    member = getattr(request, "member", None)
    if member is None:
        member = member_context(request.user)
        request.member = member
    if member is None:
        return {"member": None, "main": [], "account": []}
    match = request.resolver_match
    return {"member": member, **menu_for(member, current_url_name=match.url_name if match else "")}
