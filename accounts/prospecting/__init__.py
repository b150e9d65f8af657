"""Prospecting: ICP fit scoring, the predictive win model, priority and tiers (phase 1 of the ABE model).

Pure maths lives in ``icp``, ``predictive`` and ``tiering`` (DataFrames in, arrays out, no database);
``frame`` loads a workspace's accounts into a DataFrame (scores go back through ``abe.bulk``), ``services``
holds every write and ``selectors`` every read.
"""
