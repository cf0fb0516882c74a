# syntax=docker/dockerfile:1
# MedQA: one image serves (`medqa serve`, the default), migrates (`medqa migrate`) and purges (`medqa purge`).
#
# PYTHON_IMAGE is any Debian-based image with python3 >= 3.11 on PATH (official: /usr/local/bin/python3,
# Debian's own: /usr/bin/python3; both stages use the same base, so the venv's interpreter link holds).
# The default is the official slim image pinned by digest; refresh the digest with the registry when bumping.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm@sha256:34386ef0cb081344d7ec1c103ba398e6e9f64e9ab3a1509accc92a4e24a07258

# checkov reads `FROM ${PYTHON_IMAGE}` as an untagged image; the ARG default above is pinned by digest:
# checkov:skip=CKV_DOCKER_7:The base image comes from ARG PYTHON_IMAGE, whose default is pinned by sha256 digest.
FROM ${PYTHON_IMAGE} AS builder
ARG UV_VERSION=0.13.8
SHELL ["/bin/sh", "-eu", "-c"]
# Behind a TLS-intercepting proxy, pass its CA bundle as a build secret (`--secret id=ca_bundle,src=...`);
# it is used by pip and uv in this stage only and never stored in a layer.
# uv comes from PyPI into a throwaway venv of this stage; it never reaches the final image.
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi; \
    python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_NO_MANAGED_PYTHON=1 \
    UV_PYTHON=python3 \
    UV_PROJECT_ENVIRONMENT=/opt/medqa/venv
WORKDIR /src
# Dependencies alone, from the lock: this layer is reused until pyproject.toml or uv.lock changes.
# --locked fails if the lock is stale; no dev/checks/pulumi group enters the image.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export SSL_CERT_FILE=/run/secrets/ca_bundle; fi; \
    /opt/uv/bin/uv sync --locked --no-dev --no-default-groups --no-install-project
# Then the service itself, installed as a regular (non-editable) package: /src is not needed at run time.
COPY app ./app
RUN --mount=type=cache,target=/root/.cache/uv --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export SSL_CERT_FILE=/run/secrets/ca_bundle; fi; \
    /opt/uv/bin/uv sync --locked --no-dev --no-default-groups --no-editable

FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
# The repository's URL (conventions.json names it medqa-platform; the GitHub owner is set by the release build).
ARG SOURCE_URL=https://github.com/medqa/medqa-platform
LABEL org.opencontainers.image.title="medqa" \
      org.opencontainers.image.description="MedQA: medical question answering (Litestar, Piccolo, Gemini)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.vendor="MedQA"
# A fixed, high UID/GID: Kubernetes runAsUser uses the same numbers, and they collide with no host user.
RUN groupadd --gid 10001 medqa \
    && useradd --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin medqa
COPY --from=builder /opt/medqa/venv /opt/medqa/venv
# Read-only root filesystem: bytecode is compiled at build time, HOME/TMPDIR and the working directory
# (the default SQLite file lives there in demo mode) point at /tmp, the only writable mount.
ENV PATH="/opt/medqa/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    MEDQA_HOST=0.0.0.0 \
    MEDQA_PORT=8000 \
    MEDQA_LOG_FORMAT=json
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
# uvicorn drains in-flight requests on SIGTERM, which is also what Kubernetes sends.
STOPSIGNAL SIGTERM
# For plain container runtimes; Kubernetes uses its own probes (gitops/kustomize/base/deployment.yaml).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('MEDQA_PORT', '8000')}/healthz\", timeout=2)"]
ENTRYPOINT ["medqa"]
CMD ["serve"]
