"""The parts every converter shares, one module per concern: ``prompts`` (the trained wording),
``choices`` (option letters, formatting, shuffling), ``schema`` (the parquet row contract and row
builder), ``records`` (record validation), ``readers`` (source files and the hub), ``resplit``
(seeded re-splits), ``pipeline`` (validate, shuffle, budget, write), ``cli`` (the shared flags) and
``files`` (the atomic file writer). Import from the specific module."""
