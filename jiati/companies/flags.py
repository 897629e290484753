"""The hook other apps ask before relying on a company (contract in docs: `company_flags`).

- "black_list": on a published red/black list, for `JIATI_BLACK_LIST_MONTHS` after the list's month;
- "licence_expired": a licence its kind of company must hold (`REQUIRED_LICENCES`) was recorded, and every
  confirmed one of that kind has expired (a company with no licence of the kind on file is not flagged: the
  registry may simply not have it yet — the company page shows what is missing).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jiati.companies.models import KIND_FIELDS, REQUIRED_LICENCES, Company, Licence, LicenceKind, LicenceStatus
from jiati.companies.ranking import black_listed


def expired_licences(*, company_ids=(), companies=None) -> dict[int, list[tuple[str, object]]]:
    """{company id: [(licence kind, last expiry)]} for required licences that have all expired; of `companies`
    when the caller has them already (their kinds are not read again), else of `company_ids`."""
    today = timezone.localdate()
    if companies is None:
        companies = Company.objects.filter(pk__in=list(company_ids)).only("pk", *KIND_FIELDS.values())
    required = {c.pk: {k for kind in c.kinds for k in REQUIRED_LICENCES.get(kind, ())} for c in companies}
    latest: dict[tuple[int, str], object] = {}
    for company_id, kind, expires_on in Licence.objects.filter(
        company_id__in=list(required), status=LicenceStatus.CONFIRMED
    ).values_list("company_id", "kind", "expires_on"):
        key = (company_id, kind)
        latest[key] = max(latest.get(key, expires_on), expires_on)
    found: dict[int, list] = {}
    for company_id, kinds in required.items():
        for kind in sorted(kinds):
            last = latest.get((company_id, kind))
            if last is not None and last < today:
                found.setdefault(company_id, []).append((kind, last))
    return found


def company_flags(*, company_ids=(), companies=None) -> list[dict]:
    """The flags of the companies `company_ids`, or of `companies` (Company rows the caller has read already:
    the project page's brand, construction team and maintainer)."""
    if companies is not None:
        companies = list({c.pk: c for c in companies}.values())
        company_ids = [c.pk for c in companies]
    company_ids = [int(pk) for pk in company_ids if pk]
    if not company_ids:
        return []
    flags = []
    for company_id, (reason, until) in black_listed(company_ids=company_ids).items():
        flags.append({"company_id": company_id, "flag": "black_list", "reason": reason, "until": until})
    for company_id, expired in expired_licences(company_ids=company_ids, companies=companies).items():
        for kind, last in expired:
            flags.append(
                {
                    "company_id": company_id,
                    "flag": "licence_expired",
                    "reason": _("its %(licence)s expired on %(date)s")
                    % {"licence": LicenceKind(kind).label, "date": last.isoformat()},
                    "until": None,
                }
            )
    return flags
