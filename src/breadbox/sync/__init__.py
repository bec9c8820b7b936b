"""The sync engine, its runs and the runners that schedule them."""
