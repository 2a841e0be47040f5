"""Log lines an operator can ship: key=value or JSON, failures at WARNING, never a token."""

from __future__ import annotations

import json
import subprocess
import sys

TOKEN = "987654:AAHsecret-token-never-in-a-log-line"

EMIT = f"""
import logging
from bot.logs import configure_logging
configure_logging("INFO", json_lines={{json}})
log = logging.getLogger("bot.pipeline.ingest")
log.warning("polled source=%s status=%s error=%s", "el-pitazo", 503, "HTTP 503")
try:
    raise RuntimeError("https://api.telegram.org/bot{TOKEN}/sendMessage refused")
except RuntimeError:
    log.exception("tick=deliveries failed")
"""


def emit(*, json_lines: bool) -> list[str]:
    done = subprocess.run([sys.executable, "-c", EMIT.format(json=json_lines)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert TOKEN.split(":")[1] not in done.stderr
    return done.stderr.strip().splitlines()


def test_json_lines_carry_level_logger_message_and_the_redacted_traceback() -> None:
    first, second = emit(json_lines=True)
    polled = json.loads(first)
    assert polled["level"] == "WARNING" and polled["logger"] == "bot.pipeline.ingest"
    assert polled["message"] == "polled source=el-pitazo status=503 error=HTTP 503"
    failed = json.loads(second)
    assert failed["level"] == "ERROR" and "RuntimeError" in failed["exception"]
    assert "bot[REDACTED]" in failed["exception"]


def test_text_lines_stay_key_value() -> None:
    lines = emit(json_lines=False)
    assert "level=WARNING logger=bot.pipeline.ingest polled source=el-pitazo" in lines[0]
