"""A refused form in a fold-out panel comes back open, with every value as typed and every error (issue 13)."""

from __future__ import annotations

from django.urls import reverse


def test_a_refused_panel_form_comes_back_as_typed_with_all_its_errors(project, world, client_for):
    client = client_for(world.users["community"])
    detail = reverse("projects:detail", args=[project.pk])
    response = client.post(
        reverse("projects:checklist", args=[project.pk, "checklist"]),
        {
            "chat_group_name": "三栋加梯群",
            "chat_group_link": "not a link at all",
            "estimated_cost": "about 500k",
            "_form_slot": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "data-refused" in page  # app.js unfolds the panel around it
    assert 'value="三栋加梯群"' in page and 'value="not a link at all"' in page and 'value="about 500k"' in page
    assert page.count('class="invalid-feedback d-block"') >= 2  # both errors at once, each on its field
    assert "Enter a valid URL." in page and "Enter a number." in page
    # Shown once: the next view of the page is fresh again.
    assert "data-refused" not in client.get(detail).content.decode()


def test_only_the_form_used_comes_back(project, world, client_for):
    client = client_for(world.users["community"])
    client.post(
        reverse("projects:checklist", args=[project.pk, "review"]),
        {"result": "", "reviewed_on": "2026/13/45", "_form_slot": "1"},
    )
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert page.count("data-refused") == 1
    assert 'value="2026/13/45"' in page
