"""The maintainers' dashboard: server-rendered pages over the ledger, no script, no CDN."""
