"""Vigía's storage: tables, the engine, and plain functions over a session."""
