"""Scripts for the repository itself (not the site): the type check's baseline (``mypy_baseline``)."""
