"""Benchmarks: synthetic workloads at three sizes, the engine against bare SimPy and a heapq loop.

Run ``python -m benchmarks`` (or ``make bench``; ``--quick`` for the two smaller sizes). Results
are printed as a table and written as JSON to ``benchmarks/results/``. Nothing here is a test:
``tests/test_benchmarks.py`` checks only that the three implementations agree.
"""
