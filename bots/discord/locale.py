"""Slash-command localization: `locale_str` texts carry each core language; the Translator picks one per locale.

Every command, option and choice text is a `locale_str` whose message (Discord's default, shown to every locale)
is bilingual "English · فارسی" and whose extras hold the plain texts per core language (`en`, `fa`). Discord
offers no Persian locale, so `LOCALE_LANGUAGES` has nothing for "fa" today; when Discord adds one, listing it
there makes Persian clients see plain Persian names with no other change.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bots.discord.texts import bilingual, bilingual_name
from core.text import clean_text

# Discord locale -> core language, for locales whose users should see the plain (single-language) text.
LOCALE_LANGUAGES: dict[discord.Locale, str] = {}


def text(english: str, persian: str) -> app_commands.locale_str:
    """A description / choice name: bilingual by default, plain per language for mapped locales."""
    return app_commands.locale_str(bilingual(english, persian), en=english, fa=persian)


def choice(english: str, persian: str) -> app_commands.locale_str:
    """A choice's name: bilingual by default ("Local · 0 cr · ۰ اعتبار"), plain per language for mapped locales."""
    persian = clean_text(persian)  # the core's bidi marks order reply lines; a choice name is a plain label
    return app_commands.locale_str(bilingual_name(english, persian), en=english, fa=persian)


class RoutixTranslator(app_commands.Translator):
    """Answers with the core-language text that `LOCALE_LANGUAGES` assigns to a Discord locale."""

    def __init__(self, locales: dict[discord.Locale, str] | None = None) -> None:
        self.locales = LOCALE_LANGUAGES if locales is None else locales

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        language = self.locales.get(locale)
        if language is None:
            return None
        translated = string.extras.get(language)
        # Names must stay valid command names (lower case, no spaces): only descriptions and choices get text.
        if context.location in (app_commands.TranslationContextLocation.command_name,
                                app_commands.TranslationContextLocation.group_name,
                                app_commands.TranslationContextLocation.parameter_name):
            return None
        return translated if translated and translated != string.message else None
