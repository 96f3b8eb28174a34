"""Domain models: what the service keeps and returns, independent of HTTP and storage."""

from shared.models.directory import DirectoryUser
from shared.models.profile import PROFILE_ODATA_TYPE, IdempotencyRecord, Versioned, profile_id

__all__ = ["PROFILE_ODATA_TYPE", "DirectoryUser", "IdempotencyRecord", "Versioned", "profile_id"]
