"""Domain models: what the service keeps and returns, independent of HTTP and storage."""
from shared.models.account import (
    Account,
    AccountInput,
    Identity,
    IdentitySet,
    InferenceData,
    LocaleInfo,
    PersonDataSource,
)
from shared.models.directory import DirectoryUser
from shared.models.profile import IdempotencyRecord, Page, Profile, Versioned

__all__ = [
    "Account",
    "AccountInput",
    "DirectoryUser",
    "IdempotencyRecord",
    "Identity",
    "IdentitySet",
    "InferenceData",
    "LocaleInfo",
    "Page",
    "PersonDataSource",
    "Profile",
    "Versioned",
]
