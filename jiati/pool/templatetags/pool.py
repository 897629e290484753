from django import template

from jiati.pool import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def pool_can_plan(context) -> bool:
    request = context.get("request")
    return bool(request is not None and permissions.can_plan(request.user))
