from django.utils.translation import gettext_lazy as _

from jiati.companies import filtersets
from jiati.companies.models import Company
from jiati.web.columns import Column
from jiati.web.lists import ScopedListView


class CompanyListView(ScopedListView):
    model = Company
    filterset_class = filtersets.CompanyFilterSet
    template_name = "core/list.html"
    title = _("Companies")
    export_name = "companies"
    columns = [
        Column(_("Company"), "name"),
        Column(_("Elevator brand"), "brand"),
        Column(_("Elevator maker"), "is_manufacturer"),
        Column(_("Construction team"), "is_contractor"),
        Column(_("Maintainer"), "is_maintainer"),
        Column(_("Contact"), "contact_name"),
        Column(_("Contact phone"), "contact_phone"),
    ]
