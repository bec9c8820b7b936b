"""One package per provider API (notion/, linear/); base.py holds the contract the engine drives."""
