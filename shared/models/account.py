"""userAccountInformation: the facet kept in a user's `profile/account` collection."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: Wire names of the server-set and directory properties: never accepted in a request body.
READ_ONLY_PROPERTIES = (
    "id",
    "createdDateTime",
    "createdBy",
    "lastModifiedDateTime",
    "lastModifiedBy",
    "ageGroup",
    "userPrincipalName",
)
#: Wire names a client may set.
WRITABLE_PROPERTIES = (
    "allowedAudiences",
    "countryCode",
    "preferredLanguageTag",
    "inference",
    "source",
    "isSearchable",
)
ODATA_TYPE = "#microsoft.graph.userAccountInformation"

ShortText = Annotated[str, Field(max_length=256)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Identity(_Wire):
    id: ShortText | None = None
    displayName: ShortText | None = None


class IdentitySet(_Wire):
    application: Identity | None = None
    device: Identity | None = None
    user: Identity | None = None


class LocaleInfo(_Wire):
    locale: ShortText | None = None
    displayName: ShortText | None = None


class InferenceData(_Wire):
    confidenceScore: float | None = Field(default=None, allow_inf_nan=False)
    userHasVerifiedAccuracy: bool | None = None


class PersonDataSource(_Wire):
    type: Annotated[str, Field(min_length=1, max_length=64)]


class AccountInput(_Wire):
    """The writable properties, already validated and canonical (see shared.validation).

    On create every field is set (defaults applied); on PATCH only the fields the client sent are
    set, so `model_dump(exclude_unset=True)` is the change to apply.
    """

    allowedAudiences: str = "me"
    countryCode: str | None = None
    preferredLanguageTag: LocaleInfo | None = None
    inference: InferenceData | None = None
    source: PersonDataSource | None = None
    isSearchable: bool | None = None


class Account(AccountInput):
    """A stored account facet: the writable properties plus the server-set ones."""

    id: str
    createdDateTime: str
    createdBy: IdentitySet
    lastModifiedDateTime: str
    lastModifiedBy: IdentitySet


#: Audiences that make a facet visible to other users of the organization (contract §4).
SHARED_AUDIENCES = frozenset({"organization", "federatedOrganizations", "everyone"})


def account_wire(account: Account, user_principal_name: str | None, age_group: str | None) -> dict:
    """The userAccountInformation body: every property, `null` where unset, in the seed's order."""
    data = account.model_dump(mode="json")
    return {
        "id": data["id"],
        "allowedAudiences": data["allowedAudiences"],
        "inference": data["inference"],
        "createdDateTime": data["createdDateTime"],
        "createdBy": data["createdBy"],
        "lastModifiedDateTime": data["lastModifiedDateTime"],
        "lastModifiedBy": data["lastModifiedBy"],
        "source": data["source"],
        "isSearchable": data["isSearchable"],
        "ageGroup": age_group,
        "countryCode": data["countryCode"],
        "preferredLanguageTag": data["preferredLanguageTag"],
        "userPrincipalName": user_principal_name,
    }


def is_shared(account: Account) -> bool:
    """True when the facet's audiences include the organization or wider."""
    return bool(SHARED_AUDIENCES.intersection(account.allowedAudiences.split(",")))
