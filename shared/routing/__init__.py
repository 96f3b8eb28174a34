"""ASP.NET-style route templates, as the Functions host matches them: parsing, constraints, precedence.

Used by the catch-all function (functions/fallback.py) to tell 404 from 405 against the routes the app
registered, and by the local host (devhost) to route requests. Standard library only; cheap to import.
"""
