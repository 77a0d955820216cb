"""verl plugins: the ``medu1`` reward manager, the ``medu1`` trainer mode and the per-task metrics they log.

Only these modules are imported inside verl's Ray workers (through ``verl.plugins`` entry points), so they
depend on nothing heavier than verl and ``reward_score``.
"""
