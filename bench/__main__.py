"""`python -m bench [names...] [flags]`: run the benches in sequence, flags passed to each.

A bench is any module in this directory that exposes `main(argv: list[str]) -> int`; modules are
discovered, never imported by a fixed list, so a bench that does not exist yet is simply absent.
Leading arguments that name benches select them (default: all); the rest go to each bench, e.g.
`python -m bench api --quick`. The exit status is non-zero when any bench fails.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

# Preferred order; any other bench found runs afterwards, alphabetically.
ORDER = ("api", "search", "sync", "scale")
NOT_BENCHES = {"common"}


def discover() -> list[str]:
    """Names of the modules in this package that may be benches (not helpers, not private)."""
    found = {
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_") and m.name not in NOT_BENCHES
    }
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def load(name: str) -> Callable[[list[str]], int] | None:
    module = importlib.import_module(f"bench.{name}")
    entry = getattr(module, "main", None)
    return entry if callable(entry) else None


def main(argv: list[str]) -> int:
    available = discover()
    names: list[str] = []
    while argv and not argv[0].startswith("-"):
        if argv[0] not in available:
            print(f"unknown bench {argv[0]!r}; available: {', '.join(available) or 'none'}", file=sys.stderr)
            return 2
        names.append(argv.pop(0))
    flags = argv
    selected = names or available
    outcomes: list[tuple[str, str]] = []
    for name in selected:
        print(f"\n{'=' * 30} bench: {name} {' '.join(flags)} {'=' * 30}", flush=True)
        started = time.perf_counter()
        try:
            entry = load(name)
            if entry is None:
                if names:
                    outcomes.append((name, "FAIL (no main)"))
                continue
            code = entry(list(flags))
        except SystemExit as exc:  # argparse errors and explicit exits inside a bench
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:
            sys.stdout.flush()
            traceback.print_exc()
            sys.stderr.flush()
            code = 1
        outcomes.append((name, f"{'PASS' if code == 0 else 'FAIL'} in {time.perf_counter() - started:.0f}s"))
    print("\n" + "=" * 80)
    for name, outcome in outcomes:
        print(f"{name:<12} {outcome}")
    return 0 if all(o.startswith("PASS") for _, o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
