"""What teams write instead of MedQA, run beside it in the benchmark: the seed's design and a FastAPI service."""
