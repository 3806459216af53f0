import pytest

from core.analysis import KeywordAnalyzer
from core.conversation import RuleRefiner

BASE = KeywordAnalyzer().analyze('Gaming thumbnail "I WON"')
refine = RuleRefiner().refine


@pytest.mark.parametrize("text", ["make it red", "قرمزش کن", "رنگش را قرمز کن"])
def test_colour_refinement(text: str) -> None:
    result = refine(BASE, text)
    assert result is not None and result.colors[0] == "#e11d48"
    assert result.title == "I WON"


@pytest.mark.parametrize(("text", "title"), [
    ("change the title to 'GG EZ'", "GG EZ"),
    ('change the title to "Boss Down"', "Boss Down"),
    ("عنوان را به «بردم» تغییر بده", "بردم"),
])
def test_title_refinement(text: str, title: str) -> None:
    result = refine(BASE, text)
    assert result is not None and result.title == title
    assert result.category == BASE.category


@pytest.mark.parametrize(("text", "style"), [("more minimal", "minimal"), ("مینیمال‌تر", "minimal"),
                                            ("more cinematic", "cinematic")])
def test_style_refinement(text: str, style: str) -> None:
    result = refine(BASE, text)
    assert result is not None and result.style == style


def test_badges_can_be_added_and_removed() -> None:
    with_badge = refine(BASE, "add a NEW badge")
    assert with_badge is not None and with_badge.badge == "NEW"
    without = refine(with_badge, "remove the badge")
    assert without is not None and without.badge is None


@pytest.mark.parametrize("text", ["Tech review of the new iPhone", "آموزش پایتون برای مبتدی‌ها", "hello there"])
def test_new_requests_are_not_refinements(text: str) -> None:
    assert refine(BASE, text) is None
