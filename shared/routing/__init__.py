"""Routes as the Functions host matches them: templates, the host's rule (name order, first match), the prefix.

Used by the function app's route table (functions/routes.py), the catch-all, `$batch`, and the local host
(devhost). Standard library only; cheap to import.
"""
