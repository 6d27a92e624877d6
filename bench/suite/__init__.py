"""The benchmark suite behind ``python bench/run.py``: data sets, the served API under load, measures."""
