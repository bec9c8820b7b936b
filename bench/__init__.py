"""Benchmarks (`python -m bench [names...] [flags]`, `make bench`).

Every module here exposing `main(argv: list[str]) -> int` is a bench; `bench.common` holds the
helpers they share. Benches print ratios against a reference measured in the same run.
"""
