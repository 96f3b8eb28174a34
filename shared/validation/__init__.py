"""Strict JSON body parsing (contract §3) and the checks shared by the facet engine's rules.

Facet bodies are validated from their declarations (shared/facets); this package holds what comes
before (parse_json_object: size, content type, strict RFC 8259) and the audience and code rules.
"""
