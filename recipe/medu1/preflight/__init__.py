"""Offline pre-flight checks of a training config (``python -m recipe.medu1.preflight`` / ``--check``)."""
