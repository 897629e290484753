import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.companies.models import Company


class CompanyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(
        method="of_kind",
        label=_("Kind"),
        choices=[
            ("manufacturer", _("Elevator maker")),
            ("contractor", _("Construction team")),
            ("maintainer", _("Maintainer")),
        ],
    )

    class Meta:
        model = Company
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(brand__icontains=value))

    def of_kind(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True})
