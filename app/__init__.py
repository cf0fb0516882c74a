"""MedQA: a medical question-answering service."""
