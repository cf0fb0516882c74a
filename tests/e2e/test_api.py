"""End to end: `medqa serve` on PostgreSQL asking `medqa fake-gemini`, every status mapping over real HTTP."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.e2e.conftest import Service, bearer
from tests.plugins.gemini import FakeGeminiHandle

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
QUESTION = "What is a normal resting heart rate for adults?"


def ask(service: Service, payload: object = None, **kwargs: object) -> httpx.Response:
    body = {"question": QUESTION} if payload is None else payload
    return httpx.post(f"{service.url}/ask", json=body, timeout=15, **kwargs)  # type: ignore[arg-type]


def metric(service: Service, name: str, **labels: str) -> float:
    """The value of one sample from /metrics (0 when absent)."""
    text = httpx.get(f"{service.url}/metrics", timeout=5).text
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and "{" + wanted + "}" == line[len(name) : line.rindex("}") + 1]:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys() and problem["status"] == status
    assert "Traceback" not in response.text
    if field:
        assert field in [error["field"] for error in problem["errors"]]
    return dict(problem)


def test_probes(service: Service) -> None:
    assert httpx.get(f"{service.url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{service.url}/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "model": "ok"}


def test_ask_answers_stores_and_moves_the_metrics(
    service: Service, fake: FakeGeminiHandle, keys: dict[str, str]
) -> None:
    before = metric(service, "medqa_llm_requests_total", model="gemini-test", outcome="ok")
    response = ask(service)
    assert response.status_code == 200
    record = response.json()
    assert set(record) == {"id", "conversation_id", "question", "answer", "triage", "redactions", "disclaimer",
                           "model", "finish_reason", "usage", "latency_ms", "created_at"}  # fmt: skip
    assert (record["triage"], record["model"], record["finish_reason"]) == ("routine", "gemini-test", "stop")
    assert record["usage"]["prompt_tokens"] > 0 and record["usage"]["completion_tokens"] > 0
    assert response.headers["x-request-id"]
    reader = bearer(keys["reader"])
    stored = httpx.get(f"{service.url}/questions/{record['id']}", headers=reader)
    assert stored.status_code == 200 and stored.json() == record
    listing = httpx.get(f"{service.url}/questions", params={"limit": 100}, headers=reader).json()
    assert record["id"] in [item["id"] for item in listing["items"]]
    assert metric(service, "medqa_llm_requests_total", model="gemini-test", outcome="ok") == before + 1
    assert metric(service, "medqa_http_requests_total", method="POST", route="/ask", status="200") >= 1
    assert metric(service, "medqa_llm_tokens_total", model="gemini-test", direction="completion") > 0


def test_routes_are_labelled_by_template_not_raw_path(service: Service, keys: dict[str, str]) -> None:
    httpx.get(f"{service.url}/questions/{uuid.uuid4()}", headers=bearer(keys["reader"]))
    text = httpx.get(f"{service.url}/metrics").text
    assert 'route="/questions/{question_id}"' in text
    assert not any(str(part) in text for part in ("/questions/0", "/questions/1", "/questions/a"))


def test_malformed_json_is_400(service: Service) -> None:
    response = httpx.post(f"{service.url}/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert_problem(response, 400)


INVALID = [
    ({"question": 42}, "question"),
    ({}, "question"),
    ({"question": "ok", "conversation_id": "nope"}, "conversation_id"),
    ({"question": "ok", "extra": 1}, "extra"),
    ({"question": "   "}, "question"),
    ({"question": "x" * 2001}, "question"),
    ({"question": "chest\u0000pain"}, "question"),
]


@pytest.mark.parametrize(("payload", "field"), INVALID)
def test_schema_violations_are_422_naming_the_field(service: Service, payload: object, field: str) -> None:
    assert_problem(ask(service, payload), 422, field)


def test_body_over_16_kib_is_413(service: Service) -> None:
    assert_problem(ask(service, {"question": "x" * (17 * 1024)}), 413)


def test_unknown_id_is_404(service: Service, keys: dict[str, str]) -> None:
    assert_problem(httpx.get(f"{service.url}/questions/{uuid.uuid4()}", headers=bearer(keys["reader"])), 404)


def test_bad_pagination_is_422(service: Service, keys: dict[str, str]) -> None:
    reader = bearer(keys["reader"])
    assert_problem(httpx.get(f"{service.url}/questions", params={"limit": 1000}, headers=reader), 422, "limit")
    assert_problem(httpx.get(f"{service.url}/questions", params={"before": "garbage"}, headers=reader), 422, "before")


@pytest.mark.parametrize(
    ("mode", "status", "outcome"), [("error:429", 503, "rate_limited"), ("error:503", 503, "unavailable")]
)
def test_gemini_overload_is_503_with_retry_after(
    service: Service, fake: FakeGeminiHandle, mode: str, status: int, outcome: str
) -> None:
    before = metric(service, "medqa_llm_requests_total", model="gemini-test", outcome=outcome)
    fake.set_mode(mode)
    response = ask(service)
    problem = assert_problem(response, status)
    assert int(response.headers["retry-after"]) >= 1
    assert "RESOURCE_EXHAUSTED" not in str(problem["detail"])  # no upstream text leaks
    assert 1 <= fake.calls() <= 3  # the first attempt and at most two retries
    assert metric(service, "medqa_llm_requests_total", model="gemini-test", outcome=outcome) == before + 1


def test_gemini_slower_than_the_budget_is_504_without_hanging(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("hang")
    start = time.monotonic()
    assert_problem(ask(service), 504)
    assert time.monotonic() - start < 4


def test_gemini_rejecting_the_request_is_502(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("error:403")
    assert_problem(ask(service), 502)


def test_safety_block_is_200_with_a_refusal(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("safety")
    response = ask(service)
    assert response.status_code == 200
    assert response.json()["finish_reason"] == "safety" and "can't answer" in response.json()["answer"]


def test_max_tokens_is_200_with_the_partial_answer(service: Service, fake: FakeGeminiHandle) -> None:
    fake.set_mode("max_tokens")
    response = ask(service)
    assert response.status_code == 200 and response.json()["finish_reason"] == "max_tokens"


def test_openapi_schema_documents_ask(service: Service) -> None:
    schema = httpx.get(f"{service.url}/schema/openapi.json").json()
    operation = schema["paths"]["/ask"]["post"]
    assert {"200", "413", "422", "503", "504"} <= set(operation["responses"])
    assert "AskRequest" in str(operation["requestBody"])


def test_logs_never_carry_question_or_answer_text(service: Service, fake: FakeGeminiHandle) -> None:
    secret_question = "My neighbour Zebulon Quasimodo asks about his persistent cough"
    assert ask(service, {"question": secret_question}).status_code == 200
    time.sleep(0.2)
    logs = service.logs()
    assert "question.answered" in logs
    assert "Zebulon" not in logs and "persistent cough" not in logs
    assert "demo answer" not in logs and "test-key-not-real" not in logs
