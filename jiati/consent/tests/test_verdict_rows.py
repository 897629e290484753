"""Issue 18: a verdict's tests table is written by one tag (`consent_page.verdict_test_rows`) instead of some twenty
template nodes a test; the rows read as `_result.html`'s loop wrote them, to the byte, in either language: passed
and failed tests, heads and areas, a test with nobody to count (no share), shares that need more decimals."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import translation

from jiati.consent.rules import builtin_spec
from jiati.consent.tally import evaluate
from jiati.consent.tests.test_tally import counts

# The loop as `_result.html` wrote it before the tag.
FORMER = (
    '{% for t in verdict.tests %}\n      <tr id="test-{{ t.spec.name }}" data-passed="{{ t.passe'
    'd|yesno:\'1,0\' }}">\n        <td>{{ t.label }}<div class="small text-muted">{{ t.numerator_t'
    'ext }} / {{ t.denominator_text }}</div>\n          <progress class="consent-progress{% if t'
    '.passed %} is-passed{% endif %}" max="100" value="{{ t.percent }}" aria-label="{{ t.ratio_'
    'shown }}">{{ t.ratio_shown }}</progress></td>\n        <td class="share-reached">{{ t.ratio'
    '_shown }}</td>\n        <td class="share-required">≥ {{ t.threshold_shown }}</td>\n        <'
    'td>{% if t.passed %}<span class="text-success fs-5" aria-hidden="true">✓</span><span class'
    '="visually-hidden">{% translate \'passed\' %}</span>{% else %}<span class="text-danger fs-5"'
    ' aria-hidden="true">✗</span><span class="visually-hidden">{% translate \'not passed\' %}</sp'
    "an>{% endif %}</td>\n      </tr>\n    {% endfor %}"
)
NOW = "{% load consent_page %}{% verdict_test_rows verdict.tests %}"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "tally",
    [
        counts(12, 12, 12, "960", "960", "960"),  # all pass
        counts(12, 7, 5, "1234.56", "700.01", "699.99"),  # some fail
        counts(0, 0, 0, "0", "0", "0"),  # nobody: no share reached
        counts(3000, 2000, 1499, "300000.00", "199999.99", "150000.00"),  # 66.66…% against 2/3: more decimals
    ],
)
@pytest.mark.parametrize("rules", ["civil-code-278"])
def test_the_rows_read_as_the_loop_wrote_them(tally, rules, language):
    verdict = evaluate(tally, builtin_spec(rules))
    assert verdict.tests
    with translation.override(language):
        former = engines["django"].from_string("{% load i18n %}" + FORMER).render({"verdict": verdict})
        now = engines["django"].from_string(NOW).render({"verdict": verdict})
    assert now == former
    assert now.count("<tr ") == len(verdict.tests)
