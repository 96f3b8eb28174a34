"""The HTTP edge shared by every function: request ids, Graph's error envelope, JSON responses."""

from shared.web.call import Call, handle

__all__ = ["Call", "handle"]
