"""Use cases: plain functions over the repository port. They raise shared.errors, never build HTTP."""
