"""Benchmarks: scripts (not tests) that measure foramen against SQLite FTS5.

Each script is run as ``python -m bench.<name>``, prints a table and writes JSON to
``bench/out/``. Generated corpora live in ``bench/corpora/`` (git-ignored). See
BENCHMARKS.md for the commands and the figures.
"""
