"""A deterministic demo board for development and benchmarks: `manage.py seed_demo`."""
