"""Command handlers: one short method per command, the same on every platform."""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal

from core.ai import Budget, period_start
from core.catalogue import Catalogue
from core.commands import ADMIN_COMMANDS, catalog
from core.config import ServiceConfig
from core.credits import utcnow
from core.domain import PERIODS, Generation, JobStatus, User
from core.i18n import LANGUAGES, has_text, translate
from core.ports import Links, RemoteImages, Store
from core.requests import Requests
from core.text import latin_digits
from core.turn import Turn

log = logging.getLogger(__name__)
LINK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
MAX_GRANT = 1_000_000
MAX_GRANTED = 1_000_000_000  # an account's top-ups: far below what a database's integer holds, even two joined
MAX_QUOTA = 1_000_000


def _amount(text: str, least: int, most: int) -> int | None:
    """A whole number in [least, most] (Persian digits too); None for anything else ("²" passes isdigit, not int)."""
    if not text.isdecimal() or len(text) > len(str(most)):
        return None
    value = int(text)
    return value if least <= value <= most else None


class CommandHandlers:
    def __init__(self, store: Store, catalogue: Catalogue, requests: Requests, config: ServiceConfig,
                 links: Links | None = None) -> None:
        self.store, self.links = store, links
        self.blobs = requests.blobs
        self.catalogue = catalogue
        self.requests = requests
        self.config = config
        self._handlers: dict[str, Callable[[Turn, list[str]], Awaitable[None]]] = {
            name: getattr(self, f"cmd_{name}") for name in (
                "start", "help", "new", "credits", "algorithms", "algorithm", "history", "forget", "regenerate",
                "variations",
                "lang", "link", "settings", "thumb", "grant", "quota", "tier", "watermark", "enable", "disable",
                "ban", "unban", "stats", "budget")
        }

    async def run(self, turn: Turn, name: str, args: list[str]) -> None:
        handler = self._handlers.get(name)
        if handler is None:
            return await turn.refuse("unknown_command", name=name)
        if name in ADMIN_COMMANDS and name != "watermark" and not self._is_admin(turn):
            return await turn.refuse("not_admin", name=name)
        await handler(turn, args)

    def _is_admin(self, turn: Turn) -> bool:
        return (turn.incoming.platform, turn.incoming.user_id) in self.config.admins

    async def _usage(self, turn: Turn, name: str) -> None:
        usage = next(info.usage for info in catalog("en", admin=True) if info.name == name)
        await turn.refuse("usage", name=name, usage=usage)

    async def _audit(self, turn: Turn, action: str, target: str, detail: str = "") -> None:
        await self.store.audit(turn.actor, action, target, detail, utcnow())

    # -- everyone -----------------------------------------------------------------------------------------

    async def cmd_start(self, turn: Turn, args: list[str]) -> None:
        await turn.say("welcome", name=turn.incoming.display_name or turn.user.display_name)

    async def cmd_help(self, turn: Turn, args: list[str]) -> None:
        lines = [turn.text("help_line", command=f"{c.name} {c.usage}".rstrip(), description=c.description)
                 for c in catalog(turn.language, admin=self._is_admin(turn))]
        await turn.say("help", commands="\n".join(lines))

    async def cmd_new(self, turn: Turn, args: list[str]) -> None:
        conversation = await self.store.conversation(turn.incoming.platform, turn.incoming.chat_id)
        await self.store.set_last_generation(conversation.id, None)
        await turn.say("new_conversation")

    async def cmd_thumb(self, turn: Turn, args: list[str]) -> None:
        await self.requests.on_request(turn, " ".join(args))

    async def cmd_credits(self, turn: Turn, args: list[str]) -> None:
        account = await self.store.account(turn.user.id, utcnow())
        tier = await self.catalogue.tier_of(await self._fresh(turn.user))
        refill = account.period_end.strftime("%Y-%m-%d %H:%M UTC") if account.period_end else turn.text("never")
        await turn.say("credits", balance=account.balance, allowance=account.allowance, granted=account.granted,
                       tier=tier.name, quota=tier.allowance, period=turn.text(f"period_{tier.period}"),
                       watermark=turn.text("on" if tier.watermark else "off"), refill=refill)

    async def _fresh(self, user: User) -> User:
        return await self.store.get_user(user.id) or user

    async def cmd_algorithms(self, turn: Turn, args: list[str]) -> None:
        chat = await self.requests.chat_settings(turn)
        lines = [turn.text("algorithms_header", default=chat.default_algorithm or "local")]
        for algorithm in await self.catalogue.algorithm_choices():
            state = "disabled" if not algorithm.enabled else "available" if algorithm.available else "unavailable"
            lines.append(turn.text("algorithm_line", id=algorithm.id, name=algorithm.name, cost=algorithm.cost,
                                   description=_about(turn, algorithm.id, algorithm.description),
                                   state=turn.text(state)).rstrip())
        await turn.send_text("\n".join(lines))

    async def cmd_algorithm(self, turn: Turn, args: list[str]) -> None:
        if len(args) != 1:
            return await self._usage(turn, "algorithm")
        await self._set_default_algorithm(turn, args[0].lower())

    async def _set_default_algorithm(self, turn: Turn, algorithm_id: str) -> None:
        if not await self._may_change_settings(turn):
            return
        algorithms = (await self.catalogue.entries()).algorithms
        algorithm = algorithms.get(algorithm_id)
        if algorithm is None:
            return await turn.refuse("unknown_algorithm", id=algorithm_id, ids=", ".join(algorithms))
        if await self.requests.refused(turn, algorithm):
            return
        await self.store.set_default_algorithm(turn.incoming.platform, turn.incoming.settings_scope, algorithm.id)
        await self._audit(turn, "set_default_algorithm", turn.incoming.settings_scope, algorithm.id)
        await turn.say("algorithm_set", name=algorithm.name)

    async def cmd_forget(self, turn: Turn, args: list[str]) -> None:
        """Deletes the person's thumbnails, reference photos and their files; credits and the account stay."""
        if args != ["confirm"]:
            return await turn.say("forget_ask")
        forgotten = await self.store.forget_user(turn.user.id, utcnow())
        if forgotten is None:
            return await turn.refuse("forget_busy")
        count, keys = forgotten
        deleted = await self._delete_files(keys)
        await self._audit(turn, "forget", turn.actor, f"{count} generations, {deleted} of {len(keys)} files")
        await turn.say("forget_done", count=count, files=deleted)

    async def _delete_files(self, keys: list[str]) -> int:
        """The files no row refers to any more, at once (a person who forgets expects it gone now)."""
        deleted = 0
        for index, key in enumerate(keys):
            try:
                await self.blobs.delete(key)
                deleted += 1
            except Exception as error:  # the rows are gone already: `routix storage gc` takes what is left
                log.warning("forget: deleting %d files failed (gc will): %s", len(keys) - index, error)
                break  # the storage is down: each of the rest would only wait out its timeouts
        return deleted

    async def cmd_history(self, turn: Turn, args: list[str]) -> None:
        if not await self._privately(turn, "history"):
            return
        generations = await self.store.recent_generations(turn.user.id, self.config.history_limit)
        if not generations:
            return await turn.say("history_empty")
        lines = [turn.text("history_header")] + [
            turn.text("history_line", when=g.created_at.strftime("%Y-%m-%d %H:%M") if g.created_at else "",
                      title=g.title, algorithm=g.algorithm, status=turn.text(f"status_{g.status}")) + self._link(g)
            for g in generations
        ]
        await turn.send_text("\n".join(lines))

    def _link(self, generation: Generation) -> str:
        """A share link to the picture, where links are configured and the picture is stored."""
        if self.links is None or not generation.result_key:
            return ""
        return " " + self.links.url(generation.result_key, f"routix-{generation.id.hex[:8]}.jpg")

    async def cmd_regenerate(self, turn: Turn, args: list[str]) -> None:
        if (last := await self._last(turn)) is not None:
            await self.requests.redo(turn, last)

    async def cmd_variations(self, turn: Turn, args: list[str]) -> None:
        if (last := await self._last(turn)) is not None:
            await self.requests.variations(turn, last)

    async def _last(self, turn: Turn) -> Generation | None:
        last = await self.requests.last_in_chat(turn)
        if last is None:
            await turn.refuse("nothing_to_redo")
        return last

    async def cmd_lang(self, turn: Turn, args: list[str]) -> None:
        if len(args) != 1 or args[0].lower() not in LANGUAGES:
            return await turn.refuse("language_usage")
        language = args[0].lower()
        await self.store.set_language(turn.user.id, language)
        await turn.send_text(translate(language, "language_set"))

    async def _privately(self, turn: Turn, name: str) -> bool:
        """A person's history and link codes are for their eyes only: a group would see them (and a code seen is
        an account anyone there can join). Refused where others read the answer."""
        if turn.incoming.answers_seen_by_others:
            await turn.refuse("private_only", name=name)
            return False
        return True

    async def cmd_link(self, turn: Turn, args: list[str]) -> None:
        if not await self._privately(turn, "link"):
            return
        if not args:
            code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(8))
            ttl = self.config.link_code_ttl
            await self.store.create_link_code(code, turn.user.id, utcnow() + ttl)
            return await turn.say("link_code", code=code, minutes=int(ttl.total_seconds() // 60))
        issuer = await self.store.consume_link_code(latin_digits(args[0].strip()).upper(), utcnow())
        if issuer is None:
            return await turn.refuse("link_invalid")
        if issuer == turn.user.id:
            return await turn.refuse("link_same")
        if not await self.store.merge_users(turn.user.id, issuer, utcnow()):
            return await turn.refuse("link_busy")
        await self.store.audit(turn.actor, "link", str(issuer), f"merged {turn.user.id}", utcnow())
        account = await self.store.account(issuer, utcnow())
        await turn.say("link_done", balance=account.balance)

    # -- chat settings ------------------------------------------------------------------------------------

    async def _may_change_settings(self, turn: Turn, *, watermark_off: bool = False) -> bool:
        """Global admins always; chat admins for their chat; nobody else. Only global admins may
        switch the watermark off, or anyone could remove it by making a group of their own."""
        if self._is_admin(turn):
            return True
        if watermark_off:
            await turn.refuse("not_admin", "watermark_off_needs_admin")
            return False
        if turn.incoming.is_group and not turn.incoming.is_chat_admin:
            await turn.refuse("not_chat_admin")
            return False
        return True

    async def cmd_watermark(self, turn: Turn, args: list[str]) -> None:
        if len(args) != 1 or args[0].lower() not in ("on", "off"):
            return await self._usage(turn, "watermark")
        on = args[0].lower() == "on"
        if not await self._may_change_settings(turn, watermark_off=not on):
            return
        await self.store.set_chat_watermark(turn.incoming.platform, turn.incoming.settings_scope, on)
        await self._audit(turn, "watermark", f"{turn.incoming.platform}:{turn.incoming.settings_scope}", args[0])
        await turn.say("watermark_set", state=turn.text("on" if on else "off"))

    async def cmd_settings(self, turn: Turn, args: list[str]) -> None:
        if not args:
            return await self._show_settings(turn)
        key, values = args[0].lower(), args[1:]
        if key == "watermark":
            return await self.cmd_watermark(turn, values)
        if key == "algorithm" and len(values) == 1:
            return await self._set_default_algorithm(turn, values[0].lower())
        if key == "channels" and values:
            return await self._set_channels(turn, values)
        await self._usage(turn, "settings")

    async def _show_settings(self, turn: Turn) -> None:
        chat = await self.requests.chat_settings(turn)
        watermark = "watermark_auto" if chat.watermark is None else "on" if chat.watermark else "off"
        await turn.say("settings", scope=turn.text("scope_server" if turn.incoming.space_id else "scope_chat"),
                       watermark=turn.text(watermark), algorithm=chat.default_algorithm or "local",
                       channels=_linked(turn, chat.allowed_channels))

    async def _set_channels(self, turn: Turn, values: list[str]) -> None:
        if not await self._may_change_settings(turn):
            return
        words = " ".join(values).replace(",", " ").split()
        channels = () if words == ["all"] else tuple(word.strip("<#>") for word in words)
        await self.store.set_allowed_channels(turn.incoming.platform, turn.incoming.settings_scope, channels)
        await self._audit(turn, "channels", turn.incoming.settings_scope, ",".join(channels) or "all")
        await turn.say("channels_set", channels=_linked(turn, channels))

    # -- admins -------------------------------------------------------------------------------------------

    async def _target(self, turn: Turn, ref: str) -> User | None:
        """The user of `platform:id` (digits already made 0-9 by `_reference`) or of an account id; None, refused,
        if there is none."""
        platform, _, external = ref.partition(":")
        user = await self.store.find_user(platform, external) if external else None
        if user is None:
            try:
                user = await self.store.get_user(uuid.UUID(ref))
            except ValueError:
                user = None
        if user is None:
            await turn.refuse("user_not_found", ref=ref)
        return user

    async def cmd_grant(self, turn: Turn, args: list[str]) -> None:
        if len(args) != 2 or (amount := _amount(args[1], 1, MAX_GRANT)) is None:
            return await self._usage(turn, "grant")
        ref = _reference(args[0])
        if (user := await self._target(turn, ref)) is None:
            return
        if (await self.store.account(user.id, utcnow())).granted + amount > MAX_GRANTED:
            return await turn.refuse("grant_too_much", user=ref, most=MAX_GRANTED)
        account = await self.store.grant(user.id, amount, f"by {turn.actor}", utcnow())
        await self._audit(turn, "grant", ref, str(amount))
        await turn.say("granted", amount=amount, user=ref, balance=account.balance)

    async def cmd_quota(self, turn: Turn, args: list[str]) -> None:
        tiers = (await self.catalogue.entries()).tiers
        quota = _amount(args[1], 0, MAX_QUOTA) if len(args) == 3 else None
        if quota is None or args[0] not in tiers or args[2] not in PERIODS:
            return await self._usage(turn, "quota")
        await self.store.set_tier_quota(args[0], quota, args[2])
        self.catalogue.forget()
        await self._audit(turn, "quota", args[0], f"{quota} per {args[2]}")
        await turn.say("quota_set", tier=args[0], amount=quota, period=turn.text(f"period_{args[2]}"))

    async def cmd_tier(self, turn: Turn, args: list[str]) -> None:
        tiers = (await self.catalogue.entries()).tiers
        if len(args) != 2 or args[1] not in tiers:
            return await self._usage(turn, "tier")
        ref = _reference(args[0])
        if (user := await self._target(turn, ref)) is None:
            return
        await self.store.set_tier(user.id, args[1])
        await self._audit(turn, "tier", ref, args[1])
        await turn.say("tier_set", user=ref, tier=args[1])

    async def cmd_enable(self, turn: Turn, args: list[str]) -> None:
        await self._toggle(turn, args, True)

    async def cmd_disable(self, turn: Turn, args: list[str]) -> None:
        await self._toggle(turn, args, False)

    async def _toggle(self, turn: Turn, args: list[str], enabled: bool) -> None:
        algorithms = (await self.catalogue.entries()).algorithms
        if len(args) != 1:
            return await self._usage(turn, "enable" if enabled else "disable")
        if args[0] not in algorithms:
            return await turn.refuse("unknown_algorithm", id=args[0], ids=", ".join(algorithms))
        await self.store.set_algorithm_enabled(args[0], enabled)
        self.catalogue.forget()
        await self._audit(turn, "enable" if enabled else "disable", args[0])
        await turn.say("algorithm_toggled", name=algorithms[args[0]].name, state=turn.text("on" if enabled else "off"))

    async def cmd_ban(self, turn: Turn, args: list[str]) -> None:
        await self._ban(turn, args, True)

    async def cmd_unban(self, turn: Turn, args: list[str]) -> None:
        await self._ban(turn, args, False)

    async def _ban(self, turn: Turn, args: list[str], banned: bool) -> None:
        if len(args) != 1:
            return await self._usage(turn, "ban" if banned else "unban")
        ref = _reference(args[0])
        if (user := await self._target(turn, ref)) is None:
            return
        await self.store.set_banned(user.id, banned)
        await self._audit(turn, "ban" if banned else "unban", ref)
        await turn.say("ban_set" if banned else "unban_set", user=ref)

    async def cmd_stats(self, turn: Turn, args: list[str]) -> None:
        stats = await self.store.stats()
        jobs = await self.store.jobs_summary()
        running = jobs.get(JobStatus.RUNNING, 0) + jobs.get(JobStatus.DELIVERING, 0)
        now = utcnow()
        today = await self.store.spend(period_start("day", now))
        month = await self.store.spend(period_start("month", now))
        await turn.send_text(turn.text("stats", queued=jobs.get(JobStatus.QUEUED, 0), running=running, **stats) + "\n"
                             + turn.text("stats_spend", today=_spend_line(turn, today), month=_spend_line(turn, month)))

    async def cmd_budget(self, turn: Turn, args: list[str]) -> None:
        """`/budget` lists the budgets; `/budget <provider|all> <usd> <day|month>` sets one (0 pauses spending)."""
        if not args:
            return await self._budgets(turn)
        providers = {p.name for p in self.catalogue.providers.values() if isinstance(p, RemoteImages)} | {"all"}
        usd = _dollars(args[1]) if len(args) == 3 else None
        if len(args) != 3 or args[0] not in providers or usd is None or args[2] not in ("day", "month"):
            return await self._usage(turn, "budget")
        budget = Budget(args[0], usd, args[2])
        await self.store.set_budget(budget)
        self.catalogue.forget()
        await self._audit(turn, "budget", args[0], f"{usd:.2f} USD per {args[2]}")
        total = await self.store.spent(budget, utcnow())
        await turn.say("budget_set", provider=args[0], usd=_usd(usd, 2), period=turn.text(f"period_{args[2]}"),
                       spent=_usd(total, 3))

    async def _budgets(self, turn: Turn) -> None:
        budgets = await self.store.budgets()
        if not budgets:
            return await turn.say("budget_none")
        now = utcnow()
        parts = []
        for budget in budgets:
            total = await self.store.spent(budget, now)
            parts.append(turn.text("budget_line", provider=budget.provider, spent=_usd(total, 3),
                                   usd=_usd(budget.usd, 2), period=turn.text("period_" + budget.period)))
        await turn.say("budget_list", budgets=turn.text("list_semicolon").join(parts))


def _dollars(text: str) -> float | None:
    """Dollars as an admin writes them ("5", "$0.50", "۰٫۵"); float() also took "1e3" and "1_0", a typo away
    from $1000."""
    text = latin_digits(text).replace("٫", ".")  # the Persian decimal separator
    if not re.fullmatch(r"\$?[0-9]{1,6}(?:\.[0-9]{1,4})?", text):
        return None
    return float(text.lstrip("$"))


def _usd(amount: float, places: int) -> Decimal:
    """Dollars to `places` decimals, as a number: replies write it in the reader's digits ("۵٫۰۰")."""
    return Decimal(f"{amount:.{places}f}")


def _reference(text: str) -> str:
    """A user reference as typed on any keyboard: telegram:۱۰۰ is telegram:100."""
    return latin_digits(text.strip())


def _about(turn: Turn, algorithm_id: str, stored: str) -> str:
    """What an algorithm is, in the reader's language; the catalogue's text for one without a translation."""
    return turn.text(f"about_{algorithm_id}") if has_text(f"about_{algorithm_id}") else stored


def _spend_line(turn: Turn, spend: dict[tuple[str, str], tuple[float, int]]) -> str:
    if not spend:
        return turn.text("spend_none")
    total = sum(usd for usd, _ in spend.values())
    items = [turn.text("spend_item", source=f"{provider}/{algorithm}", usd=_usd(usd, 3), count=count)
             for (provider, algorithm), (usd, count) in sorted(spend.items())]
    return turn.text("spend_total", usd=_usd(total, 3), items=turn.text("list_comma").join(items))


def _linked(turn: Turn, channels: tuple[str, ...]) -> str:
    """The chosen channels as the platform links them (Discord: <#id>, its name), or "all channels"."""
    return ", ".join(turn.incoming.channel_link.format(id=channel) for channel in channels) or turn.text("all_channels")
