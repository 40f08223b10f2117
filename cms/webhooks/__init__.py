"""Webhooks: front ends and CDNs told of changes, signed by the Standard Webhooks scheme."""
