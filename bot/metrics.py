"""The service's Prometheus metrics: counted from what each tick reports, read at /metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

__all__ = ["CONTENT_TYPE", "DeliveryOutcomes", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


@dataclass(frozen=True, slots=True)
class DeliveryOutcomes:
    """What one delivery tick did, in the words of every transport's sender."""

    delivered: int = 0
    retry: int = 0  # sent back to wait: a flood wait, a network error, or behind such a part
    blocked: int = 0  # the user blocked the bot or the chat is gone: the subscriber is off
    rejected: int = 0  # refused for good (a bad request, or too many attempts)
    retry_after: int = 0  # of the retries, those the platform asked for (429 retry_after)


class Metrics:
    """One process's metrics, on their own registry (so several services in one test never mix)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter(
            "vigia_polls", "Polls of sources, by outcome: ok (new body), unchanged (304 or same "
            "body), failed.", ["status"], registry=r)
        self.items_stored = Counter(
            "vigia_items_stored", "Items stored (new, not copies already stored).", registry=r)
        self.sources_failing = Gauge(
            "vigia_sources_failing", "Declared sources whose last poll failed, or disabled.",
            registry=r)
        self.deliveries = Counter(
            "vigia_deliveries", "Deliveries by transport and outcome: delivered, retry, blocked, "
            "rejected.", ["transport", "outcome"], registry=r)
        self.outbox_pending = Gauge(
            "vigia_outbox_pending", "Messages promised and not yet sent.", registry=r)
        self.telegram_retry_after = Counter(
            "vigia_telegram_retry_after", "Sends Telegram answered with 429 retry_after.",
            registry=r)
        self.tick_seconds = Histogram(
            "vigia_tick_duration_seconds", "How long each tick took.", ["tick"],
            buckets=TICK_BUCKETS, registry=r)
        for status in ("ok", "unchanged", "failed"):
            self.polls.labels(status=status)

    def count_polls(self, *, statuses: Sequence[int | None], errors: int, new_items: int) -> None:
        """One poll tick: the HTTP status of each successful poll, how many failed, items new."""
        for status in statuses:
            self.polls.labels(status="unchanged" if status == 304 else "ok").inc()
        if errors:
            self.polls.labels(status="failed").inc(errors)
        if new_items:
            self.items_stored.inc(new_items)

    def count_deliveries(self, outcomes: DeliveryOutcomes, *, transport: str) -> None:
        """One delivery tick of one transport."""
        for outcome in ("delivered", "retry", "blocked", "rejected"):
            value = getattr(outcomes, outcome)
            child = self.deliveries.labels(transport=transport, outcome=outcome)
            if value:
                child.inc(value)
        if transport == "telegram" and outcomes.retry_after:
            self.telegram_retry_after.inc(outcomes.retry_after)

    def observe_tick(self, name: str, seconds: float) -> None:
        """How long a tick took."""
        self.tick_seconds.labels(tick=name).observe(seconds)

    def set_gauges(self, *, sources_failing: int, outbox_pending: int) -> None:
        """The counts read from the database at scrape time."""
        self.sources_failing.set(sources_failing)
        self.outbox_pending.set(outbox_pending)

    def render(self) -> bytes:
        """Prometheus' text format."""
        return generate_latest(self.registry)
