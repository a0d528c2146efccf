"""Use cases: plain values in, plain read models out; each owns its transaction."""
