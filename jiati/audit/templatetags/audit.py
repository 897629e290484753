from django import template

from jiati.audit.selectors import audit_entries_for

register = template.Library()


@register.inclusion_tag("audit/_history.html")
def history(instance, limit: int = 50):
    """The change history of an object the view has already fetched through its scoped queryset."""
    return {"entries": audit_entries_for(instance=instance, limit=limit)}
