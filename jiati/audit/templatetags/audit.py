from django import template

from jiati.audit.selectors import audit_entries_for, disclosures_of

register = template.Library()


@register.inclusion_tag("audit/_history.html")
def history(instance, limit: int = 50):
    """The change history of an object the view has already fetched through its scoped queryset."""
    return {"entries": audit_entries_for(instance=instance, limit=limit)}


@register.inclusion_tag("audit/_disclosures.html")
def disclosures(instance, limit: int = 50):
    """Who was shown the object's full personal data; the view shows it only to roles that may see it in full."""
    return {"disclosures": disclosures_of(instance=instance, limit=limit)}
