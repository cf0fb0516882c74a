"""Piccolo table for one question and its answer."""

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class QARecord(Table, tablename="qa_record"):
    """A stored question, the model's answer, and how it was produced."""

    id = UUID(primary_key=True)
    conversation_id = UUID(index=True)
    question = Text()
    answer = Text()
    triage = Varchar(length=16, default="routine")
    redactions = Varchar(length=200, default="")
    model = Varchar(length=100)
    prompt_version = Varchar(length=32)
    finish_reason = Varchar(length=16)
    prompt_tokens = Integer(default=0)
    completion_tokens = Integer(default=0)
    latency_ms = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
