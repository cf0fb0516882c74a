"""Fixtures shared by every test folder."""

import os

pytest_plugins = [
    "tests.plugins.network_guard",
    "tests.plugins.tools",
    "tests.plugins.postgres",
    "tests.plugins.gemini",
]

# The GitOps release-flow suite (issue #13) needs the `cluster` tool group and a network namespace of its
# own: `task e2e:gitops` runs it (setting MEDQA_E2E_GITOPS=1); the main run does not collect it.
collect_ignore = [] if os.environ.get("MEDQA_E2E_GITOPS") == "1" else ["gitops_e2e"]
