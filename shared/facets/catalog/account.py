"""`account`: userAccountInformation (the seed's collection).

userPrincipalName, ageGroup, userPersona and originTenantInfo come from the directory (contract §5)
and are read-only; countryCode is an assigned ISO 3166-1 alpha-2 code, upper-cased.
"""

from __future__ import annotations

from shared.facets.catalog.types import LOCALE_INFO, ORIGIN_TENANT_INFO, USER_PERSONA
from shared.facets.common import facet
from shared.facets.kinds import Complex, Text
from shared.facets.rules import COUNTRY_CODE

ACCOUNT = facet(
    "account",
    "userAccountInformation",
    {
        "ageGroup": Text(),
        "countryCode": COUNTRY_CODE,
        "originTenantInfo": Complex(ORIGIN_TENANT_INFO),
        "preferredLanguageTag": Complex(LOCALE_INFO),
        "userPersona": USER_PERSONA,
        "userPrincipalName": Text(),
    },
    directory={
        "ageGroup": "age_group",
        "originTenantInfo": "origin_tenant_info",
        "userPersona": "user_persona",
        "userPrincipalName": "user_principal_name",
    },
    storage_prefix="acct",
)
