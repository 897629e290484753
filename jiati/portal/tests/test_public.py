"""The portal without signing in: the start page, the self-check, the cost estimate, finding a stairwell and its
project's public page (no names), and the signed stairwell link."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiati.consent.tests.conftest import ensure_rule_sets, in_stage, open_vote
from jiati.consultation.models import Article, ArticleKind, ArticleStatus, Meeting, MeetingProject, MeetingStatus
from jiati.housing.models import Ownership
from jiati.portal import checks, selectors
from jiati.projects import services as project_services
from jiati.projects.models import Stage
from jiati.subsidies.models import SubsidyPolicy


@pytest.fixture
def project(world):
    return project_services.project_open(actor=world.users["community"], stairwell=world.stairwells["a1a"])


def stairwell_url(stairwell) -> str:
    return reverse("portal:stairwell", args=[selectors.stairwell_token(stairwell)])


def test_a_visitor_gets_the_public_start_with_policy_guide_and_answers(world, client):
    published = [(ArticleKind.POLICY, "补贴政策"), (ArticleKind.GUIDE, "办事指南"), (ArticleKind.FAQ, "一楼要出钱吗")]
    for kind, title in published:
        Article.objects.create(
            kind=kind,
            title=title,
            body="第一段。\n第二段。",
            region=world.regions["A"],
            status=ArticleStatus.PUBLISHED,
            published_at=timezone.now(),
            author=world.users["district"],
        )
    Article.objects.create(
        kind=ArticleKind.FAQ, title="草稿问题", body="x", region=world.regions["A"], author=world.users["district"]
    )
    page = client.get(reverse("portal:home")).content.decode()
    for url in ("portal:self-check", "portal:estimate", "portal:find", "portal:login"):
        assert reverse(url) in page
    assert "补贴政策" in page and "办事指南" in page and "一楼要出钱吗" in page and "第二段。" in page
    assert "草稿问题" not in page  # drafts are not published


@pytest.mark.parametrize(
    ("storeys", "year", "space", "verdict"),
    [
        (6, 1995, "yes", checks.POSSIBLE),
        (6, 1975, "yes", checks.CONDITIONAL),
        (6, None, "unsure", checks.CONDITIONAL),
        (6, 1995, "no", checks.NOT_POSSIBLE),
        (3, 1995, "yes", checks.NOT_POSSIBLE),
        (4, 1995, "yes", checks.POSSIBLE),
    ],
)
def test_self_check_rules(storeys, year, space, verdict):
    result = checks.check_building(storeys=storeys, year_built=year, space=space, min_storeys=4)
    assert result.verdict == verdict and result.reasons


def test_self_check_refuses_impossible_values_all_at_once_in_plain_words(world, client):
    with pytest.raises(ValidationError) as exc:
        checks.check_building(storeys=0, year_built=2999, space="yes", min_storeys=4)
    assert set(exc.value.error_dict) == {"storeys", "year_built"}
    page = client.get(reverse("portal:self-check"), {"storeys": "300", "year_built": "1800", "space": "yes"})
    html = page.content.decode()
    assert 'id="self-check-result"' not in html
    assert "between 1 and 40 storeys" in html and "between 1900 and" in html
    assert 'value="300"' in html and 'value="1800"' in html  # what was typed is kept


def test_self_check_of_a_typed_building_names_the_window_of_the_chosen_community(world, client):
    page = client.get(
        reverse("portal:self-check"),
        {"storeys": "6", "year_built": "1995", "space": "yes", "community": world.regions["A1a"].pk},
    ).content.decode()
    assert 'id="self-check-result"' in page and "新木窗口" in page


def test_self_check_of_a_picked_stairwell_uses_the_record_and_the_responsible_phone(world, client):
    stairwell = world.stairwells["a1a"]
    staff = world.users["community"]
    staff.phone = "0755-28880000"
    staff.save(update_fields=["phone"])
    stairwell.building.responsible_person = staff
    stairwell.building.save(update_fields=["responsible_person"])
    page = client.get(reverse("portal:self-check"), {"s": selectors.stairwell_token(stairwell)}).content.decode()
    assert 'id="self-check-result"' in page
    assert "tel:0755-28880000" in page and "新木窗口" in page


def test_estimate_splits_the_typical_cost_less_the_subsidy_under_both_schemes(world, client):
    SubsidyPolicy.objects.create(
        region=world.regions["A"],
        name="龙岗区加梯补贴",
        source="district",
        effective_from=dt.date(2020, 1, 1),
        fixed_amount=Decimal("100000.00"),
        created_by=world.users["district"],
    )
    estimate = checks.estimate_share(
        storeys=6, floor=6, area=Decimal("80"), per_floor=2, total_cost=None, community=world.regions["A1a"]
    )
    assert estimate.total_cost == Decimal("580000.00") and estimate.subsidy == Decimal("100000.00")
    by_area, by_floor = (s.share for s in estimate.shares)
    assert by_area == Decimal("40000.00")  # 480,000 over 12 equal homes
    # floor coefficients 0,0,0.7,0.8,0.9,1.0 × 2 homes: the top floor pays 1.0/6.8 of 480,000 per home
    assert by_floor == (Decimal(480000) / Decimal("6.8")).quantize(Decimal("0.01"))
    page = client.get(
        reverse("portal:estimate"),
        {"storeys": "6", "floor": "1", "area": "80", "per_floor": "2", "community": world.regions["A1a"].pk},
    ).content.decode()
    assert 'id="estimate-result"' in page and "龙岗区加梯补贴" in page and "¥100,000.00" in page
    assert "¥400,000.00 plus ¥30,000.00 per storey" in page and "the district office (default)" in page


def test_the_typical_cost_is_a_district_setting_and_the_page_says_so(world, client):
    from jiati.pool import services as pool_services

    pool_services.pool_settings_set(
        actor=world.users["district"],
        region=world.regions["A"],
        typical_cost_base=300_000,
        typical_cost_per_storey=50_000,
    )
    estimate = checks.estimate_share(
        storeys=6, floor=6, area=Decimal("80"), per_floor=2, total_cost=None, community=world.regions["A1a"]
    )
    assert estimate.total_cost == Decimal("600000.00")
    assert "¥300,000.00 plus ¥50,000.00 per storey" in estimate.cost_source
    assert world.regions["A"].name in estimate.cost_source
    given = checks.estimate_share(
        storeys=6, floor=6, area=Decimal("80"), per_floor=2, total_cost=Decimal(500000), community=world.regions["A1a"]
    )
    assert given.total_cost == Decimal("500000.00") and given.cost_source == "The price you entered."
    with pytest.raises(ValidationError) as exc:
        pool_services.pool_settings_set(
            actor=world.users["district"], region=world.regions["A"], typical_cost_base=0, typical_cost_per_storey=10
        )
    assert "typical_cost_base" in exc.value.error_dict


def test_estimate_refuses_a_floor_above_the_building_and_keeps_the_input(world, client):
    page = client.get(
        reverse("portal:estimate"), {"storeys": "6", "floor": "9", "area": "3", "per_floor": "2"}
    ).content.decode()
    assert 'id="estimate-result"' not in page
    assert "between 1 and 6" in page and "between 5 and 500" in page
    assert 'value="9"' in page


def test_find_a_stairwell_by_estate_then_building_without_javascript(world, client):
    page = client.get(reverse("portal:find"), {"q": "长江"}).content.decode()
    estate = world.estates["a1a"]
    assert f"?estate={estate.pk}" in page and "山厦新村" not in page
    page = client.get(reverse("portal:find"), {"estate": estate.pk}).content.decode()
    assert stairwell_url(world.stairwells["a1a"]) in page
    assert "No estate" in client.get(reverse("portal:find"), {"q": "不存在的小区"}).content.decode()


def test_the_stairwell_page_shows_public_facts_and_no_names(world, client, project):
    project = in_stage(project, Stage.CONSULTATION)
    meeting = Meeting.objects.create(
        level="estate",
        title="长江花园加梯协调会",
        region=world.regions["A1a"],
        estate=world.estates["a1a"],
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2, hours=-1),
        location="会议室",
        status=MeetingStatus.HELD,
        held_at=timezone.now() - dt.timedelta(days=1),
        organiser=world.users["community"],
    )
    MeetingProject.objects.create(meeting=meeting, project=project)
    page = html.unescape(client.get(stairwell_url(world.stairwells["a1a"])).content.decode())
    assert str(Stage.CONSULTATION.label) in page and str(Stage.VOTE.label) in page  # the stage, the next step
    assert "Project opened" in page  # the timeline
    assert "长江花园加梯协调会" in page
    owners = Ownership.objects.filter(dwelling__stairwell=world.stairwells["a1a"]).select_related("owner")
    assert not [o.owner.name for o in owners if o.owner.name in page]
    assert world.users["community"].full_name not in page or not world.users["community"].full_name


def test_the_stairwell_page_links_the_open_vote_by_its_token(world, client, project):
    ensure_rule_sets()
    vote = open_vote(in_stage(project, Stage.VOTE), world.users["community"])
    page = client.get(stairwell_url(world.stairwells["a1a"])).content.decode()
    assert reverse("consent:online-vote", args=[vote.public_token]) in page
    assert f"/consent/v/{vote.pk}/" not in page


def test_a_withdrawn_project_gets_a_plain_message(world, client, project):
    project_services.project_withdraw(project=project, actor=world.users["community"], reason="业主意见不一致")
    page = client.get(stairwell_url(world.stairwells["a1a"])).content.decode()
    assert 'id="withdrawn"' in page and "业主意见不一致" not in page and 'id="stage"' not in page


def test_a_forged_or_counted_stairwell_link_is_404(world, client):
    stairwell = world.stairwells["a1a"]
    assert client.get(reverse("portal:stairwell", args=[str(stairwell.pk)])).status_code == 404
    forged = f"{stairwell.pk + 1}:{selectors.stairwell_token(stairwell).split(':')[1]}"
    assert client.get(reverse("portal:stairwell", args=[forged])).status_code == 404


def test_the_stairwell_poster_is_an_a4_pdf_with_the_qr_code_of_its_page(world, client):
    response = client.get(reverse("portal:stairwell-poster", args=[selectors.stairwell_token(world.stairwells["a1a"])]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("portal:stairwell-poster", args=["1:forged"])).status_code == 404


def test_staff_find_the_residents_page_and_poster_on_the_stairwell_panel(world, client_for, client):
    stairwell = world.stairwells["a1a"]
    token = selectors.stairwell_token(stairwell)
    page = client_for(world.users["community"]).get(reverse("housing:stairwell-detail", args=[stairwell.pk]))
    assert reverse("portal:stairwell-poster", args=[token]) in page.content.decode()


def test_public_pages_carry_a_share_card_without_personal_data(world, client):
    page = client.get(stairwell_url(world.stairwells["a1a"])).content.decode()
    assert 'property="og:title"' in page and 'property="og:description"' in page and "长江花园" in page
    owners = Ownership.objects.filter(dwelling__stairwell=world.stairwells["a1a"]).select_related("owner")
    assert not [o.owner.phone for o in owners if o.owner.phone and o.owner.phone in page]
