"""`routix telegram` at DEBUG against the fake Bot API: the token (in every Bot API URL) never reaches the log."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.bot_process import TEST_SECRET_KEY, BotProcess, assert_redacted
from tests.fakes.telegram_api import FakeBotAPI

CHAT_ID = 4242
STARTUP_AND_RENDER = 60  # seconds: the subprocess imports, starts its render worker, then renders


async def test_a_debug_run_logs_the_token_only_as_redacted(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = BotProcess("telegram", tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                     TELEGRAM_FILE_BASE_URL=fake.file_base_url, TELEGRAM_WEBHOOK_URL="")
    async with bot:
        fake.push(message=fake.message(CHAT_ID, text='Gaming thumbnail "I WON"'))
        await bot.until(fake.wait_calls("sendPhoto", 1, chat_id=CHAT_ID, timeout=STARTUP_AND_RENDER))
    fake.push(message=fake.message(CHAT_ID, text="/help"))  # ends the fake's side of the bot's last 30 s long poll

    bot_id, _, secret_part = fake.token.partition(":")
    assert bot_id.isdigit() and len(secret_part) >= 8
    assert_redacted(bot.log(), [fake.token, secret_part, TEST_SECRET_KEY], library="telegram")


def test_a_bot_api_it_cannot_reach_at_start_is_said_in_one_line_without_the_token(tmp_path: Path) -> None:
    """Failures other than a refused token escaped as a traceback Python printed itself, past the redaction, with
    the token in the URL; its HTTP sessions were left open."""
    import os
    import subprocess
    import sys

    from tests.e2e.bot_process import REPO

    token = "123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
    env = {**os.environ, "ROUTIX_DATA_DIR": str(tmp_path / "data"), "TELEGRAM_BOT_TOKEN": token,
           "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot", "TELEGRAM_WEBHOOK_URL": "", "ROUTIX_LOG_LEVEL": "DEBUG"}
    done = subprocess.run([sys.executable, "-m", "bots.cli", "telegram"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "could not be reached" in done.stderr
    assert token not in done.stderr + done.stdout and "ABCDEFGHIJKLMNOP" not in done.stderr
    assert "Traceback" not in done.stderr and "Unclosed client session" not in done.stderr
