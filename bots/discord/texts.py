"""Discord-only interface texts (slash-command option descriptions), in English and Persian.

Command descriptions come from the core's catalogue (`service.command_catalog`); only what exists just on Discord
(option descriptions, subcommands) lives here.

Discord has no Persian client locale (its locales: https://discord.com/developers/docs/reference#locales), so
`name_localizations`/`description_localizations` cannot carry Persian. Descriptions and choice names are therefore
bilingual ("English · فارسی") where they fit Discord's 100-character limit, and `RoutixTranslator`
(bots/discord/locale.py) maps the core's languages onto whatever Discord locales exist for them.
"""

from __future__ import annotations

DESCRIPTION_LIMIT = 100  # Discord's limit for command, option and choice descriptions / names
SEPARATOR = " · "

OPTIONS: dict[str, tuple[str, str]] = {  # key -> (English, Persian)
    "thumbnail": ("Make a 1280x720 thumbnail from a description", "ساخت تامبنیل ۱۲۸۰×۷۲۰ از یک توضیح"),
    "prompt": ("What the video is about; put the title in quotes", "موضوع ویدیو؛ عنوان را داخل گیومه بنویسید"),
    "title": ("The words on the thumbnail", "متن روی تامبنیل"),
    "algorithm": ("How it is made (cost in credits)", "روش ساخت (هزینه به اعتبار)"),
    "style": ("Visual style", "سبک تصویری"),
    "image": ("A reference photo (JPEG, PNG or WebP)", "عکس مرجع (JPEG، PNG یا WebP)"),
    "language": ("Reply language", "زبان پاسخ‌ها"),
    "code": ("The code from your other account", "کد حساب دیگر شما"),
    "settings_show": ("Show this server's settings", "نمایش تنظیمات این سرور"),
    "settings_watermark": ("Watermark on this server's thumbnails", "واترمارک تامبنیل‌های این سرور"),
    "settings_algorithm": ("This server's default algorithm", "الگوریتم پیش‌فرض این سرور"),
    "settings_channels": ("Channels where I answer (none: all)", "کانال‌هایی که پاسخ می‌دهم (خالی: همه)"),
    "state": ("On or off", "روشن یا خاموش"),
    "channel": ("A channel", "یک کانال"),
    "admin": ("Routix administration", "مدیریت روتیکس"),
    "user": ("@mention, Discord id, or platform:id (telegram:123)", "منشن، شناسهٔ دیسکورد یا platform:id"),
    "amount": ("Number of credits", "تعداد اعتبار"),
    "tier": ("Tier", "سطح"),
    "period": ("Refill period", "دورهٔ شارژ"),
    "provider": ("An AI provider or all (empty: list budgets)", "یک سرویس هوش مصنوعی یا همه (خالی: فهرست)"),
    "usd": ("Most it may spend, in US dollars (0 pauses it)", "سقف هزینه به دلار آمریکا (۰: توقف)"),
    "budget_period": ("Per day or per month", "روزانه یا ماهانه"),
    "confirm": ("True: delete them now, for good", "بله: همین حالا برای همیشه حذف شوند"),
}


CHOICES: dict[str, str] = {  # a choice's value, which is its English name -> its Persian name
    "on": "روشن", "off": "خاموش",
    "free": "رایگان", "pro": "حرفه‌ای",  # tiers
    "day": "روز", "week": "هفته", "month": "ماه",
    "all": "همه",
    "minimal": "مینیمال", "cinematic": "سینمایی", "playful": "بامزه", "retro": "رترو", "elegant": "شیک",
    "bold": "جسورانه",  # styles (core/analysis.py STYLE_WORDS)
}


def bilingual(english: str, persian: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """"English · فارسی" when both fit in Discord's limit, English alone otherwise."""
    both = f"{english}{SEPARATOR}{persian}"
    return both if len(both) <= limit else english[:limit]


def bilingual_name(english: str, persian: str) -> str:
    """A choice's name in both languages, a name they share written once: "Local · 0 cr · ۰ اعتبار", "openai"."""
    if persian == english:
        return english
    if SEPARATOR in english:
        persian = persian.removeprefix(english.split(SEPARATOR)[0] + SEPARATOR)
    return bilingual(english, persian)


def option(key: str) -> str:
    return bilingual(*OPTIONS[key])
