"""Framework-free helpers: plain Python, no Django imports, usable from any app (like
Healthchecks' hc/lib)."""
