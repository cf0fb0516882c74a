"""The questions domain: stored question/answer records, the ask flow, and their HTTP controller."""
