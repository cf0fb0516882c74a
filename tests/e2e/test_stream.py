"""End to end: /ask/stream over real HTTP, conversations that carry earlier turns, and disconnects."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.e2e.conftest import Service, bearer
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def stream(service: Service, question: str, conversation_id: str | None = None) -> list[tuple[str, dict[str, object]]]:
    """POST /ask/stream and parse every event."""
    body = {"question": question, "conversation_id": conversation_id}
    response = httpx.post(f"{service.url}/ask/stream", json=body, timeout=20)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip().splitlines()
        event = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        if data:
            events.append((event, json.loads(data)))
    return events


def test_tokens_then_one_done_with_the_stored_record(
    service: Service, fake: FakeGeminiHandle, keys: dict[str, str]
) -> None:
    events = stream(service, "what helps a tension headache?")
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done" and kinds.count("done") == 1 and set(kinds[:-1]) == {"token"}
    assert len(kinds) > 3
    record = events[-1][1]
    assert "".join(str(data["text"]) for kind, data in events if kind == "token").strip() == record["answer"]
    stored = httpx.get(f"{service.url}/questions/{record['id']}", headers=bearer(keys["reader"])).json()
    assert stored == record
    assert "medqa_llm_time_to_first_token_seconds_count" in httpx.get(f"{service.url}/metrics").text


def test_emergency_guidance_comes_first_as_its_own_event(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("error:503")
    events = stream(service, "my wife is choking and her lips are going blue")
    assert events[0][0] == "triage" and events[0][1]["triage"] == "emergency"
    assert events[-1][0] == "done"
    assert str(events[-1][1]["answer"]).startswith(str(events[0][1]["guidance"]))


def test_invalid_request_is_a_problem_before_any_stream(service: Service) -> None:
    response = httpx.post(f"{service.url}/ask/stream", json={"question": " "}, timeout=10)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(("mode", "status"), [("stream_error", 503), ("error:429", 503), ("hang", 504)])
def test_model_failure_is_an_error_event_and_nothing_is_stored(
    service: Service, fake: FakeGeminiHandle, keys: dict[str, str], mode: str, status: int
) -> None:
    fake.set_mode(mode)
    conversation = str(uuid.uuid4())
    events = stream(service, "is oat milk healthy", conversation)
    assert events[-1][0] == "error"
    problem = events[-1][1]
    assert problem["status"] == status and {"type", "title", "detail"} <= problem.keys()
    missing = httpx.get(f"{service.url}/conversations/{conversation}", headers=bearer(keys["reader"]))
    assert missing.status_code == 404


def test_client_that_disconnects_leaves_no_half_record(
    service: Service, fake: FakeGeminiHandle, keys: dict[str, str]
) -> None:
    fake.set_mode("ok", chunk_delay_ms=400)
    conversation = str(uuid.uuid4())
    body = {"question": "how much water should i drink", "conversation_id": conversation}
    with httpx.stream("POST", f"{service.url}/ask/stream", json=body, timeout=20) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                break  # the first token arrived: hang up mid-stream
    time.sleep(4)  # longer than the rest of the stream would have taken
    missing = httpx.get(f"{service.url}/conversations/{conversation}", headers=bearer(keys["reader"]))
    assert missing.status_code == 404


def test_follow_up_questions_carry_earlier_turns(
    service: Service, fake: FakeGeminiHandle, keys: dict[str, str]
) -> None:
    first = httpx.post(f"{service.url}/ask", json={"question": "what is ibuprofen used for?"}, timeout=15).json()
    conversation = first["conversation_id"]
    stream(service, "can I take it with food?", conversation)
    third = httpx.post(
        f"{service.url}/ask", json={"question": "and for how long?", "conversation_id": conversation}, timeout=15
    ).json()
    prompts = fake.prompts()
    assert "what is ibuprofen used for?" in prompts[-1] and "can I take it with food?" in prompts[-1]
    assert prompts[0] == "what is ibuprofen used for?"
    turns = httpx.get(f"{service.url}/conversations/{conversation}", headers=bearer(keys["reader"])).json()["turns"]
    assert [turn["question"] for turn in turns] == ["what is ibuprofen used for?", "can I take it with food?",
                                                    "and for how long?"]  # fmt: skip
    assert turns[-1]["id"] == third["id"]
    assert httpx.get(f"{service.url}/conversations/{conversation}").status_code == 401
