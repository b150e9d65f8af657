"""Activation writes, one module per topic: ``rules``, ``evaluation``, ``alerts``, ``outbox``, ``webhooks``."""
