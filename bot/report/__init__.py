"""The results-based accountability report: figures, small-number suppression, charts, HTML."""
