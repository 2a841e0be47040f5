# Vigía as one container, built from uv.lock in two stages.
#   docker build -t vigia .
#   docker run -e BOT_TOKEN=… -v vigia-data:/data -v "$PWD/config:/config:ro" -p 8080:8080 vigia
# /data holds the SQLite database; /config is the working folder, where Vigía looks for the
# operator's feeds.toml, actors.toml and .env (the bundled steering files are used without them).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ── build: dependencies in their own layer (rebuilt only when uv.lock changes), then the code ──
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-install-project --no-editable --python /usr/local/bin/python3
COPY README.md ./
COPY bot ./bot
COPY storage ./storage
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-editable --python /usr/local/bin/python3

# ── run: the venv only, as an unprivileged user ──
FROM ${PYTHON_IMAGE}
RUN useradd --system --uid 10001 --user-group --home-dir /config --no-create-home vigia \
    && mkdir -p /data /config \
    && chown vigia:vigia /data /config
COPY --from=build /app/venv /app/venv
ENV PATH=/app/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BOT_DATABASE_URL=sqlite+aiosqlite:////data/vigia.db \
    BOT_HTTP_LISTEN=0.0.0.0 \
    BOT_HTTP_PORT=8080
WORKDIR /config
USER vigia
VOLUME ["/data"]
# /healthz and /metrics; 8443 only in webhook mode (BOT_WEBHOOK_URL, BOT_WEBHOOK_LISTEN=0.0.0.0).
EXPOSE 8080

# The same test as `vigia health`, asked of the running service: 200 healthy, 503 with reasons.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BOT_HTTP_PORT', '8080'), timeout=8)"]

# Migrations first, then the service; `run` falls back to the demo when BOT_TOKEN is unset.
CMD ["sh", "-c", "vigia db upgrade && exec vigia run"]
