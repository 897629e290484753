import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiati.elevators.models import Elevator, FaultKind, FaultReport, FaultStatus
from jiati.web.filters import YesNoFilter


class ElevatorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    alert = django_filters.ChoiceFilter(
        method="with_alert",
        label=_("Needs attention"),
        choices=[
            ("visit_overdue", _("Visit overdue")),
            ("inspection_due", _("Inspection due")),
            ("contract_expired", _("Contract expired")),
        ],
    )

    class Meta:
        model = Elevator
        fields = ["q", "alert", "maintainer", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(equipment_code__icontains=value)
            | Q(estate__name__icontains=value)
            | Q(registration_number__icontains=value)
        )

    def with_alert(self, queryset, name, value):
        from jiati.elevators.services import alert_filters

        condition = alert_filters().get(value)
        return queryset.filter(condition) if condition is not None else queryset


class FaultFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FaultStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=FaultKind.choices, label=_("What is wrong"))
    open = YesNoFilter(method="only_open", label=_("Open"))
    urgent = YesNoFilter(label=_("Urgent"))

    class Meta:
        model = FaultReport
        fields = ["status", "kind", "urgent", "elevator"]

    def only_open(self, queryset, name, value):
        from jiati.elevators.models import OPEN_FAULT_STATUSES

        return (
            queryset.filter(status__in=OPEN_FAULT_STATUSES)
            if value
            else queryset.exclude(status__in=OPEN_FAULT_STATUSES)
        )
