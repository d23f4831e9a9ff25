"""Syntax checks of rendered router configurations, for platforms whose router cannot be
run in tests (documented in docs/templates.md, with their limits). Each checker takes the
text and returns its problems, one sentence each naming the line; empty when it passes."""
