"""Reading finished runs: per-task training curves from rollout dumps and per-step tables from verl's logs."""
