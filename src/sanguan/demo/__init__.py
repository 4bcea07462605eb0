"""The deterministic synthetic data generator behind ``sanguan seed`` and ``sanguan demo``."""
