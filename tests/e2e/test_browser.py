"""The chat page in a real headless Chromium (Debian's), driven by Playwright against the running service."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Service
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.browser]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
# No downloads, no background traffic: only the page on 127.0.0.1.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup.sh` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, service: Service) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(service.url + "/")
    yield page
    context.close()


def ask(page: object, question: str) -> None:
    box = page.get_by_label("Your question")  # type: ignore[attr-defined]
    box.fill(question)
    box.press("Enter")


def wait_until_answered(page: object) -> None:
    """The page marks the answer busy while it streams (the page's CSP forbids evaluated waits)."""
    page.locator(".answer[aria-busy]").wait_for(state="detached", timeout=15_000)  # type: ignore[attr-defined]


def test_page_shows_the_disclaimer_and_labelled_controls(page: object) -> None:
    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Before you ask").is_visible()  # type: ignore[attr-defined]
    assert "not medical advice" in page.locator("#disclaimer").inner_text()  # type: ignore[attr-defined]
    assert page.get_by_label("Your question").is_visible()  # type: ignore[attr-defined]
    assert page.get_by_role("button", name="Ask").is_enabled()  # type: ignore[attr-defined]


def test_routine_answer_streams_in(page: object, fake: FakeGeminiHandle) -> None:
    fake.set_mode("ok", chunk_delay_ms=250)
    ask(page, "What is a normal resting heart rate?")
    answer = page.locator(".answer").last  # type: ignore[attr-defined]
    page.locator(".answer[aria-busy=true]", has_text="demo").wait_for(timeout=10_000)  # type: ignore[attr-defined]
    partial = answer.inner_text()
    wait_until_answered(page)
    final = answer.inner_text()
    assert final.startswith("This is a demo answer") and len(final) > len(partial)


def test_red_flag_question_shows_emergency_guidance(page: object, fake: FakeGeminiHandle) -> None:
    ask(page, "my dad collapsed and is not breathing")
    alert = page.get_by_role("alert")  # type: ignore[attr-defined]
    alert.wait_for(timeout=10_000)
    assert "This may be an emergency" in alert.inner_text()
    assert "Call your local emergency number now" in alert.inner_text()
    wait_until_answered(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-emergency.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("mode", "message"), [("error:503", "model is unavailable"), ("hang", "took too long")])
def test_failing_model_shows_a_clear_message(page: object, fake: FakeGeminiHandle, mode: str, message: str) -> None:
    fake.set_mode(mode)
    ask(page, "is oat milk healthy")
    status = page.locator("#status.error")  # type: ignore[attr-defined]
    status.wait_for(timeout=15_000)
    assert message in status.inner_text()


def test_three_turn_conversation_uses_earlier_turns(page: object, fake: FakeGeminiHandle) -> None:
    for question in ("what is ibuprofen?", "can i take it with food?", "for how many days?"):
        ask(page, question)
        wait_until_answered(page)
    assert page.locator(".turn").count() == 3  # type: ignore[attr-defined]
    last_prompt = fake.prompts()[-1]
    assert "what is ibuprofen?" in last_prompt and "can i take it with food?" in last_prompt
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-conversation.png"), full_page=True)  # type: ignore[attr-defined]


def test_narrow_phone_screen_has_no_sideways_scroll(browser: object, service: Service) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(service.url + "/")
    ask(page, "my lips and tongue are swelling after eating peanuts")
    page.get_by_role("alert").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-phone.png"), full_page=True)
    context.close()
