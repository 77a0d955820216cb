"""The evaluation harness (``python -m recipe.medu1.eval``): generation, resumable store, scoring with the
training reward's parsers, and the report."""
