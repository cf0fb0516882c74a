"""The seed's design in one file: Flask under gunicorn, google-genai's sync client, SQLite.

Started by the benchmark as `gunicorn --worker-class gthread --workers 1 --threads 64 bench.peers.seed:app`
(one process, as one pod's core; 64 threads so that scenario 2's 64 connections never queue for a thread).
Same contract as POST /ask: screen the length, ask the model, store question and answer, return JSON.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, jsonify, request
from google import genai
from google.genai import types

SYSTEM_PROMPT = "You answer general medical questions briefly. You are not a doctor."
MODEL = "gemini-3.8-flash"
DB_PATH = os.environ.get("SEED_SQLITE_PATH", "seed.sqlite3")

app = Flask(__name__)
client = genai.Client(
    api_key=os.environ["GEMINI_API_KEY"],
    http_options=types.HttpOptions(base_url=os.environ["MEDQA_GEMINI_BASE_URL"], api_version="v1beta", timeout=60_000),
)
config = types.GenerateContentConfig(system_instruction=SYSTEM_PROMPT, temperature=0.2, max_output_tokens=1024)


def db() -> sqlite3.Connection:
    """One connection per request (Flask's `g`); WAL without fsync, as the benchmark's PostgreSQL runs."""
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH, timeout=30)
        g.db.execute("PRAGMA journal_mode=WAL")
        g.db.execute("PRAGMA synchronous=OFF")
    return g.db  # type: ignore[no-any-return]


@app.teardown_appcontext
def close_db(_exc: BaseException | None) -> None:
    """Close the request's connection."""
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


with sqlite3.connect(DB_PATH) as _conn:
    _conn.execute(
        "CREATE TABLE IF NOT EXISTS qa (id TEXT PRIMARY KEY, question TEXT, answer TEXT, model TEXT, "
        "prompt_tokens INTEGER, completion_tokens INTEGER, created_at TEXT)"
    )


@app.get("/healthz")
def healthz() -> Any:
    """Liveness, for the benchmark's start-up wait."""
    return {"status": "ok"}


@app.post("/ask")
def ask() -> Any:
    """Answer one question and store it."""
    question = str((request.get_json(silent=True) or {}).get("question", "")).strip()
    if not 1 <= len(question) <= 2000:
        return jsonify(error="question must be 1 to 2000 characters"), 422
    response = client.models.generate_content(model=MODEL, contents=question, config=config)
    usage = response.usage_metadata
    record = {
        "id": str(uuid.uuid4()),
        "question": question,
        "answer": (response.text or "").strip(),
        "model": MODEL,
        "prompt_tokens": (usage.prompt_token_count or 0) if usage else 0,
        "completion_tokens": (usage.candidates_token_count or 0) if usage else 0,
        "created_at": datetime.now(UTC).isoformat(),
    }
    conn = db()
    conn.execute(
        "INSERT INTO qa VALUES (:id, :question, :answer, :model, :prompt_tokens, :completion_tokens, :created_at)",
        record,
    )
    conn.commit()
    return jsonify(record)
