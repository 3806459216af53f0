"""The command catalogue, identical on every platform, and command-line parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandInfo:
    name: str
    usage: str
    description: str
    admin_only: bool = False


# name, usage, English description, Persian description, admin only
_CATALOG: tuple[tuple[str, str, str, str, bool], ...] = (
    ("start", "", "Say hello and see how it works", "سلام و راهنمای شروع", False),
    ("help", "", "All commands", "همهٔ دستورها", False),
    ("new", "", "Start a new thumbnail from scratch", "شروع تامبنیل تازه", False),
    ("credits", "", "Balance, tier and next refill", "موجودی، سطح و زمان شارژ بعدی", False),
    ("algorithms", "", "Algorithms, costs and availability", "الگوریتم‌ها، هزینه و دسترس‌پذیری", False),
    ("algorithm", "<id>", "Set this chat's default algorithm", "تعیین الگوریتم پیش‌فرض این گفتگو", False),
    ("history", "", "Your recent thumbnails", "تامبنیل‌های اخیر شما", False),
    ("regenerate", "", "Same request, a new design", "همان درخواست، طرحی تازه", False),
    ("variations", "", "A few siblings of the last thumbnail", "چند نسخهٔ دیگر از آخرین تامبنیل", False),
    ("lang", "en|fa", "Reply language", "زبان پاسخ‌ها", False),
    ("forget", "[confirm]", "Delete your thumbnails, photos and history", "حذف تامبنیل‌ها، عکس‌ها و تاریخچهٔ شما",
     False),
    ("link", "[code]", "Join your Telegram and Discord accounts", "اتصال حساب‌های تلگرام و دیسکورد", False),
    ("settings", "[watermark on|off | algorithm <id> | channels <ids|all>]", "This chat's or server's settings",
     "تنظیمات این گفتگو یا سرور", False),
    ("grant", "<user> <n>", "Give credits to a user", "دادن اعتبار به کاربر", True),
    ("quota", "<tier> <n> <day|week|month>", "Set a tier's allowance", "تعیین سهمیهٔ یک سطح", True),
    ("tier", "<user> <free|pro>", "Move a user to a tier", "تغییر سطح کاربر", True),
    ("watermark", "on|off", "Watermark for this chat", "واترمارک این گفتگو", True),
    ("enable", "<algorithm>", "Switch an algorithm on", "روشن کردن یک الگوریتم", True),
    ("disable", "<algorithm>", "Switch an algorithm off", "خاموش کردن یک الگوریتم", True),
    ("ban", "<user>", "Suspend a user", "مسدود کردن کاربر", True),
    ("unban", "<user>", "Lift a suspension", "رفع مسدودی کاربر", True),
    ("stats", "", "Service statistics", "آمار سرویس", True),
    ("budget", "[<provider|all> <usd> <day|month>]", "Limit what the AI providers may spend",
     "سقف هزینهٔ سرویس‌های هوش مصنوعی", True),
)
ADMIN_COMMANDS = frozenset(name for name, *_, admin in _CATALOG if admin)
USER_COMMANDS = frozenset(name for name, *_, admin in _CATALOG if not admin)
# Commands that change a chat's settings: adapters ask the platform whether the sender administers the chat.
CHAT_SETTINGS_COMMANDS = frozenset({"algorithm", "watermark", "settings"})
COMMAND_LINE = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)


def catalog(language: str, *, admin: bool = False) -> list[CommandInfo]:
    return [
        CommandInfo(name, usage, fa if language == "fa" else en, admin_only)
        for name, usage, en, fa, admin_only in _CATALOG
        if admin or not admin_only
    ]


def parse(text: str) -> tuple[str, list[str]] | None:
    """'/grant@RoutixBot telegram:1 5' -> ('grant', ['telegram:1', '5']); None when not a command."""
    match = COMMAND_LINE.match(text.strip())
    if not match:
        return None
    return match.group(1).lower(), (match.group(2) or "").split()
