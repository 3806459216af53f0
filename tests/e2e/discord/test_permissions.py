"""Server settings need Manage Server, admin commands need a Routix admin, and nobody is charged for refusals."""

from __future__ import annotations

from typing import Any

from bots.bootstrap import build
from tests.e2e.discord.conftest import make_settings, option, providers, running_bot, subcommand
from tests.fakes.discord_api import MANAGE_GUILD, MEMBER_PERMISSIONS, FakeDiscord, FakeUser


async def ask(fake: FakeDiscord, name: str, options: list[dict[str, Any]], user: FakeUser, **kwargs: Any) -> str:
    """Run a command and return the (ephemeral) answer."""
    record = await fake.slash(name, options, user=user, **kwargs)
    await fake.wait_for(lambda: record.edits or record.followups, what=f"the answer to /{name}")
    assert record.ephemeral and record.ack_latency is not None and record.ack_latency < 0.5
    return record.edits[-1][1]["content"] if record.edits else fake.messages[record.followups[-1]]["content"]


async def test_settings_need_manage_server(fake: FakeDiscord, users, tmp_path) -> None:
    member, manager = users("member"), users("manager")
    channels = subcommand("channels", option("channel", fake.other_channel_id, 7))
    managing = MEMBER_PERMISSIONS | MANAGE_GUILD
    async with running_bot(make_settings(tmp_path, fake), fake):
        refused = await ask(fake, "settings", [channels], member)
        assert "only this chat's admins" in refused
        done = await ask(fake, "settings", [channels], manager, permissions=managing)
        assert fake.other_channel_id in done
        shown = await ask(fake, "settings", [subcommand("show")], manager, permissions=managing)
        assert "server" in shown and fake.other_channel_id in shown


async def test_admin_commands_need_a_routix_admin(fake: FakeDiscord, users, tmp_path) -> None:
    creator, admin = users("creator"), users("admin")
    async with running_bot(make_settings(tmp_path, fake, admins=f"discord:{admin.id}"), fake):
        assert "Balance: 10" in await ask(fake, "credits", [], creator)
        grant = [subcommand("grant", option("user", f"<@{creator.id}>"), option("amount", 5, 4))]
        assert "only Routix admins" in await ask(fake, "admin", grant, creator)
        assert "only Routix admins" in await ask(fake, "admin", [subcommand("stats")], creator)
        assert "Granted 5 credits" in await ask(fake, "admin", grant, admin)
        assert "Balance: 15" in await ask(fake, "credits", [], creator)
        assert "Users:" in await ask(fake, "admin", [subcommand("stats")], admin)


async def test_no_credits_is_an_ephemeral_refusal_that_costs_nothing(fake: FakeDiscord, users, tmp_path) -> None:
    settings = make_settings(tmp_path, fake, free_allowance=0)
    broke = users("broke")
    async with running_bot(settings, fake, build(settings, providers=providers("basic"))):
        record = await fake.slash("thumbnail", [option("prompt", 'Travel "BALI"'), option("algorithm", "basic")],
                                  user=broke, locale="fa")
        await fake.wait_for(lambda: record.followups, what="the refusal")
        refusal = fake.messages[record.followups[0]]
        assert refusal["flags"] & (1 << 6) and record.deleted
        assert "اعتبار کافی نیست" in refusal["content"]  # in the user's locale (Persian)
        assert "موجودی: ۰" in await ask(fake, "credits", [], broke, locale="fa")
