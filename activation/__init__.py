"""Activation: rules that raise alerts to the account team, and their delivery (in-app, email, webhooks)."""
