import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.companies.flags import company_flags
from jiati.companies.models import KIND_FIELDS, Company, CompanyKind
from jiati.web.filters import YesNoFilter


class CompanyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(method="of_kind", label=_("Kind"), choices=CompanyKind.choices)
    flagged = YesNoFilter(method="with_flags", label=_("Black-listed or licence expired"))

    class Meta:
        model = Company
        fields = ["q", "kind", "flagged"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(brand__icontains=value) | Q(credit_code=value.upper()))

    def of_kind(self, queryset, name, value):
        # Older links used "manufacturer" for makers.
        field = KIND_FIELDS.get(value) or {"manufacturer": "is_manufacturer"}.get(value)
        return queryset.filter(**{field: True}) if field else queryset

    def with_flags(self, queryset, name, value):
        flagged = {f["company_id"] for f in company_flags(company_ids=queryset.values_list("pk", flat=True))}
        return queryset.filter(pk__in=flagged) if value else queryset.exclude(pk__in=flagged)
