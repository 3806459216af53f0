"""Render worker processes: a worker that dies for any reason fails only its own job, and is replaced at once;
exceptions cross the process boundary; workers never outlive a killed bot."""

from __future__ import annotations

import asyncio
import ctypes
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image

from core.providers import LocalProvider, ProcessLanes, RenderFailed, RenderWorkerDied
from core.rendering import BadImage, Finish, Scene
from core.rendering.photos import load_photo

ROOT = Path(__file__).resolve().parents[2]
FINISH = Finish(keep_original=False)


# -- what a job may do to its worker (module level: the worker imports them by name) -----------------------
def exit_abruptly() -> None:
    os._exit(3)


def segfault() -> None:
    ctypes.string_at(0)  # reads address 0: SIGSEGV


def killed_like_out_of_memory() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer sends


def hang() -> None:
    time.sleep(3600)


class Unrebuildable(Exception):
    """Built with two arguments but carrying one: pickling it back in the parent fails."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")


def raise_unrebuildable() -> None:
    raise Unrebuildable("not_image", "cut off")


def render_in_process(title: str) -> int:
    from core.providers import render_in_worker

    return len(render_in_worker(Scene(title=title), FINISH).jpeg)


def truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize((900, 600)).convert("RGB").save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    return data[: len(data) // 2]


@pytest.fixture
async def lanes():
    pool = ProcessLanes(2, timeout_s=5)
    yield pool
    pool.shutdown()


@pytest.mark.parametrize("death", [exit_abruptly, segfault, killed_like_out_of_memory])
async def test_a_dying_worker_fails_only_its_own_job_and_is_replaced(lanes: ProcessLanes, death) -> None:
    await asyncio.gather(lanes.run(render_in_process, "warm"), lanes.run(render_in_process, "warm"))
    before = set(lanes.worker_pids())
    innocent = asyncio.create_task(lanes.run(render_in_process, "INNOCENT"))
    with pytest.raises(RenderWorkerDied):
        await lanes.run(death)
    assert await innocent > 10_000, "the job on the other worker finished normally"
    assert lanes.replaced == 1
    results = await asyncio.gather(*(lanes.run(render_in_process, f"after {i}") for i in range(4)))
    assert all(size > 10_000 for size in results), "both lanes render again"
    assert set(lanes.worker_pids()) != before, "a new process took the dead one's place"


async def test_a_stuck_worker_is_killed_and_replaced(tmp_path: Path) -> None:
    pool = ProcessLanes(1, timeout_s=1)
    try:
        with pytest.raises(RenderWorkerDied):
            await pool.run(hang)
        assert await pool.run(render_in_process, "next") > 10_000
        assert pool.replaced == 1
    finally:
        pool.shutdown()


async def test_exceptions_cross_the_process_boundary_without_breaking_the_pool(lanes: ProcessLanes) -> None:
    from core.providers import crossing

    with pytest.raises(BadImage) as bad:
        await lanes.run(load_photo, truncated_jpeg(), (320, 180))
    assert bad.value.reason == "not_image"
    failure = crossing(Unrebuildable("not_image", "cut off"))
    assert isinstance(failure, RenderFailed) and "Unrebuildable" in str(failure)
    assert lanes.replaced == 0
    assert await lanes.run(render_in_process, "still fine") > 10_000


async def test_the_renderer_turns_an_unpicklable_error_into_one_that_crosses() -> None:
    provider = LocalProvider.with_processes(1)
    try:
        with pytest.raises(RenderFailed):
            await provider.runner.run(_wrapped_unrebuildable)
        assert provider.runner.replaced == 0  # type: ignore[union-attr]
        assert len((await provider.generate(Scene(title="OK"), FINISH)).jpeg) > 10_000
    finally:
        await provider.close()


def _wrapped_unrebuildable() -> None:
    from core.providers import crossing

    try:
        raise_unrebuildable()
    except Exception as error:
        raise crossing(error) from None


def test_bad_image_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(BadImage("bomb", "90000x90000 pixels")))
    assert (error.reason, error.detail) == ("bomb", "90000x90000 pixels")


BOT = textwrap.dedent("""
    import asyncio, os, sys
    sys.path.insert(0, {root!r})
    from core.providers import LocalProvider

    async def main():
        provider = LocalProvider.with_processes(2)
        await provider.warm_up()
        print("ready", flush=True)
        await asyncio.sleep(3600)

    if __name__ == "__main__":
        asyncio.run(main())
""")


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only reaping is left


def test_render_workers_and_the_forkserver_exit_when_the_bot_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "bot.py"
    script.write_text(BOT.format(root=str(ROOT)))
    bot = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert bot.stdout is not None and bot.stdout.readline().strip() == "ready"
        helpers = descendants(bot.pid)
        assert len(helpers) >= 3, f"forkserver, two workers (and a resource tracker): {helpers}"
    finally:
        bot.kill()
        bot.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(running(pid) for pid in helpers):
        time.sleep(0.1)
    assert [pid for pid in helpers if running(pid)] == [], "processes left behind by the killed bot"
