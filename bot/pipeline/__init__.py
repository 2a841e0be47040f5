"""The ingest stages: normalise, relevance, tag, dedup, and the orchestrator."""
