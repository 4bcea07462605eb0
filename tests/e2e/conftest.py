"""Browser tests against a real ``sanguan serve`` on a freshly seeded data directory.

One server for the session: a temporary ``SANGUAN_DATA_DIR`` (always the embedded SQLite
default, whatever ``DATABASE_URL`` the suite runs with), ``sanguan migrate``, ``sanguan
seed``, the compliance rules when that command exists, then ``sanguan serve`` on a free
port. Debian's Chromium is driven by Playwright; no browser is ever downloaded."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SANGUAN_CHROMIUM", "/usr/bin/chromium")
SEED = 7
SCREENSHOTS = Path(os.environ.get("SANGUAN_E2E_SCREENSHOTS") or Path(tempfile.gettempdir()) / "sanguan-e2e")


def _sanguan() -> list[str]:
    exe = Path(sys.executable).with_name("sanguan")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sanguan.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_env():
    data_dir = Path(tempfile.mkdtemp(prefix="sanguan-e2e-"))
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE"}}
    env.update({"SANGUAN_DATA_DIR": str(data_dir), "LOG_LEVEL": "ERROR"})
    yield env, data_dir
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server_url(e2e_env):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    env, _data_dir = e2e_env
    run = lambda *args: subprocess.run([*_sanguan(), *args], env=env, check=True, capture_output=True, timeout=600)  # noqa: E731
    run("migrate", "--no-input")
    run("seed", "--scale", "1", "--seed", str(SEED))
    commands = run("help", "--commands").stdout.decode()
    if "compliance" in commands.split():
        run("compliance", "run")
    port = _free_port()
    server = subprocess.Popen([*_sanguan(), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(server.stderr.read().decode()) from None
                time.sleep(0.1)
        else:
            raise RuntimeError("sanguan serve did not answer")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def demo_logins(e2e_env, live_server_url) -> dict[str, dict]:
    _env, data_dir = e2e_env
    rows = json.loads((data_dir / "demo-logins.json").read_text(encoding="utf-8"))
    return {row["username"]: row for row in rows}


@pytest.fixture(scope="session")
def planted(e2e_env, live_server_url) -> dict[str, list[dict]]:
    _env, data_dir = e2e_env
    return json.loads((data_dir / "demo-planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server_url):
    context = browser.new_context(base_url=live_server_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server_url):
    context = browser.new_context(base_url=live_server_url, locale="zh-CN", viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url("**/home/")
