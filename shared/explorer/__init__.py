"""The API explorer at `GET docs`: Swagger UI over the OpenAPI document, with sign-in (contract §1, §4).

assets.py: the files it serves (a fixed allow-list; Swagger UI's pinned by SHA-256); page.py: the page and
the Content-Security-Policy of each response. Nothing here is read or built at import time.
"""
