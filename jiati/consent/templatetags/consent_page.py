"""Template helpers for the consent pages and the project page's consent panel."""

from __future__ import annotations

import html

from django import template
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _e(value) -> str:
    """`{{ value }}`'s text: localized, then escaped unless safe (`conditional_escape`)."""
    value = localize(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@register.simple_tag
def verdict_test_rows(tests) -> str:
    """The rows of a verdict's tests table (`_result.html`), as its loop wrote them to the byte: each test's label,
    its counts, a progress bar, the share reached against the share required, passed or not. Written here: the loop
    was some twenty template nodes a test, on every page showing a vote (issue 18); test_verdict_rows.py holds
    the rows to it."""
    marks = {
        True: '<span class="text-success fs-5" aria-hidden="true">✓</span><span class="visually-hidden">'
        f"{_e(gettext('passed'))}</span>",
        False: '<span class="text-danger fs-5" aria-hidden="true">✗</span><span class="visually-hidden">'
        f"{_e(gettext('not passed'))}</span>",
    }
    rows = []
    for test in tests:
        passed = bool(test.passed)
        reached = _e(test.ratio_shown)
        rows.append(
            f'\n      <tr id="test-{_e(test.spec.name)}" data-passed="{"1" if test.passed else "0"}">\n'
            f'        <td>{_e(test.label())}<div class="small text-muted">{_e(test.numerator_text)} / '
            f"{_e(test.denominator_text)}</div>\n"
            f'          <progress class="consent-progress{" is-passed" if passed else ""}" max="100" '
            f'value="{_e(test.percent)}" aria-label="{reached}">{reached}</progress></td>\n'
            f'        <td class="share-reached">{reached}</td>\n'
            f'        <td class="share-required">≥ {_e(test.threshold_shown)}</td>\n'
            f"        <td>{marks[passed]}</td>\n"
            "      </tr>\n    "
        )
    return mark_safe("".join(rows))
