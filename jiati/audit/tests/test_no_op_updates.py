"""An edit that changes nothing saves nothing: no audit entry, `updated_at` left alone (issue 19). The services that
update a record from a form or the API go through `audit.services.save_if_changed`; one per app here."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiati.audit.models import AuditAction, AuditEntry
from jiati.companies import services as company_services
from jiati.companies.models import Company
from jiati.consultation.models import ArticleKind
from jiati.consultation.models.publicity import Article
from jiati.consultation.services import publicity
from jiati.housing import services as housing_services
from jiati.pool import services as pool_services
from jiati.pool.models import PoolSettings


def _updates(instance) -> int:
    return AuditEntry.objects.filter(object_id=str(instance.pk), action=AuditAction.UPDATE).count()


def test_a_company_edited_to_the_same_values_is_not_saved(world):
    company, district = world.companies["contractor"], world.users["admin"]
    company_services.company_update(actor=district, company=company, brand="旧牌")
    stamp, entries = Company.objects.get(pk=company.pk).updated_at, _updates(company)
    company_services.company_update(actor=district, company=company)
    company_services.company_update(actor=district, company=company, brand="旧牌")
    assert Company.objects.get(pk=company.pk).updated_at == stamp
    assert _updates(company) == entries
    company_services.company_update(actor=district, company=company, brand="新牌")
    assert _updates(company) == entries + 1
    assert Company.objects.get(pk=company.pk).updated_at > stamp


def test_an_article_saved_again_unchanged_writes_no_entry(world):
    district = world.users["district"]
    kind = ArticleKind.choices[0][0]
    article = publicity.article_create(actor=district, kind=kind, title="加梯指南", body="步骤")
    stamp, entries = Article.objects.get(pk=article.pk).updated_at, _updates(article)
    publicity.article_update(actor=district, article=article, kind=kind, title="加梯指南", body="步骤")
    assert Article.objects.get(pk=article.pk).updated_at == stamp
    assert _updates(article) == entries
    publicity.article_update(actor=district, article=article, kind=kind, title="加梯指南（新）", body="步骤")
    assert _updates(article) == entries + 1


def test_pool_settings_set_to_the_same_weights_write_no_entry(world):
    district, region = world.users["district"], world.regions["A"]
    row = pool_services.pool_settings_set(actor=district, region=region)
    stamp, entries = PoolSettings.objects.get(pk=row.pk).updated_at, _updates(row)
    pool_services.pool_settings_set(actor=district, region=region)
    assert PoolSettings.objects.get(pk=row.pk).updated_at == stamp
    assert _updates(row) == entries


def test_an_estate_saved_unchanged_is_not_written(world):
    estate, community = world.estates["a1a"], world.users["community"]
    entries = _updates(estate)
    with CaptureQueriesContext(connection) as queries:
        housing_services.estate_update(actor=community, estate=estate, name=estate.name)
    assert not [q for q in queries if q["sql"].startswith('UPDATE "housing_estate"')]
    assert _updates(estate) == entries
    housing_services.estate_update(actor=community, estate=estate, name="长江花园二期")
    assert _updates(estate) == entries + 1
