# Vigía: the bot as one container. Data (SQLite) lives on the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BOT_DATABASE_URL=sqlite+aiosqlite:////data/vigia.db

RUN useradd --create-home --uid 10001 vigia \
    && mkdir -p /data && chown vigia:vigia /data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini feeds.toml actors.toml ./
COPY bot ./bot
COPY storage ./storage
COPY migrations ./migrations
RUN pip install --editable .

USER vigia
VOLUME ["/data"]
# Only used in webhook mode (BOT_WEBHOOK_URL, with BOT_WEBHOOK_LISTEN=0.0.0.0 in a container).
EXPOSE 8443

HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

# Migrations first, then the service; `run` falls back to the demo when BOT_TOKEN is unset.
CMD ["sh", "-c", "python -m bot db upgrade && exec python -m bot run"]
