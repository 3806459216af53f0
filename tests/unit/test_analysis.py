from core.analysis import KeywordAnalyzer

analyze = KeywordAnalyzer().analyze


def test_quoted_title_category_and_colour_in_english() -> None:
    result = analyze('Gaming thumbnail "I WON" in red')
    assert (result.title, result.category, result.language) == ("I WON", "gaming", "en")
    assert result.colors == ("#e11d48",)


def test_guillemets_give_a_persian_title_and_category() -> None:
    result = analyze("تامبنیل گیمینگ «بردم!» قرمز")
    assert result.title == "بردم!"
    assert result.category == "gaming"
    assert result.language == "fa"
    assert result.colors == ("#e11d48",)


def test_apostrophes_are_not_quotes_and_single_quotes_still_are() -> None:
    """ "Don't stop 'til you win" had the title "t stop": the apostrophes were read as quotes."""
    assert analyze("Don't stop 'til you win, gaming").title.startswith("DON'T STOP")
    assert analyze("Let's see what's inside the box").title.startswith("LET'S SEE")
    assert analyze("Gaming thumbnail 'GG EZ' in red").title == "GG EZ"


def test_title_is_derived_short_and_punchy_without_quotes() -> None:
    result = analyze("make a thumbnail for my video about the best budget laptop for students")
    assert result.title.isupper()
    assert len(result.title.split()) <= 5
    assert "THUMBNAIL" not in result.title and "VIDEO" not in result.title
    assert result.category == "tech"


def test_style_mood_and_badge_are_read() -> None:
    result = analyze("top 10 python tips, minimal and calm")
    assert result.style == "minimal"
    assert result.mood == "calm"
    assert result.badge == "10"
    assert "list" in result.elements


def test_versus_and_persian_categories() -> None:
    assert "versus" in analyze("iPhone vs Pixel review").elements
    assert analyze("آموزش ریاضی برای کنکور").category == "education"
    assert analyze("ولاگ سفر به شیراز").category == "lifestyle"


def test_unknown_topic_falls_back_to_defaults() -> None:
    result = analyze("zzz qqq")
    assert (result.category, result.style, result.mood) == ("other", "bold", "energetic")


def test_a_keyword_is_found_where_a_word_bounded_search_finds_it_and_nowhere_else() -> None:
    """Whole-word keywords are looked up among the text's words: the same answers as a word-bounded search, on texts
    whose words touch digits, hyphens, apostrophes, accents, underscores and Persian."""
    import re

    from core import analysis

    texts = ["Gaming thumbnail \"LEVEL 5\" in red", "top-10 c++ how-to's: game_play x2 3d gaming",
             "Café déjà vu naïve", "iPhone15 vs pixel-8 phone", "red/blue, GREEN!", "ÉPIC win #1",
             "آموزش پایتون برای مبتدی ها", "cooking pasta"]
    words = {w for table in (analysis.CATEGORY_WORDS, analysis.STYLE_WORDS, analysis.MOOD_WORDS,
                             analysis.ELEMENT_WORDS) for ws in table.values() for w in ws} | set(analysis.COLORS)
    for text in texts:
        read = analysis._Words(text.lower())
        for word in words:
            if word.startswith(" ") or word == "#" or analysis.PERSIAN_CHARS.search(word):
                continue  # substring rules, unchanged
            expected = re.search(rf"\b{re.escape(word)}\b", read.padded) is not None
            assert analysis._contains(read, word) == expected, (text, word)
