"""Graph beta's complex types and enums used by the profile's facets (beyond itemFacet's own).

Members and enum values are Graph beta's (msgraph-beta-sdk 1.66 models). Per-property rules
(URLs, language tags, longer text) follow contract §2.
"""

from __future__ import annotations

from shared.facets.kinds import MAX_LONG_TEXT, Complex, ComplexType, Date, Double, Enum, Int32, ListOf, Text
from shared.facets.rules import LANGUAGE_TAG, URL

LONG_TEXT = Text(max_length=MAX_LONG_TEXT)

# --- enums -------------------------------------------------------------------------------------
USER_PERSONA = Enum(
    "userPersona",
    ("unknown", "externalMember", "externalGuest", "internalMember", "internalGuest", "unknownFutureValue"),
)
PHYSICAL_ADDRESS_TYPE = Enum("physicalAddressType", ("unknown", "home", "business", "other"))
PERSON_ANNUAL_EVENT_TYPE = Enum("personAnnualEventType", ("birthday", "wedding", "work", "other", "unknownFutureValue"))
EMAIL_TYPE = Enum("emailType", ("unknown", "work", "personal", "main", "other"))
LANGUAGE_PROFICIENCY_LEVEL = Enum(
    "languageProficiencyLevel",
    (
        "elementary",
        "conversational",
        "limitedWorking",
        "professionalWorking",
        "fullProfessional",
        "nativeOrBilingual",
        "unknownFutureValue",
    ),
)
BODY_TYPE = Enum("bodyType", ("text", "html"))
PHONE_TYPE = Enum(
    "phoneType",
    ("home", "business", "mobile", "other", "assistant", "homeFax", "businessFax", "otherFax", "pager", "radio"),
)
PERSON_RELATIONSHIP = Enum(
    "personRelationship",
    (
        "manager",
        "colleague",
        "directReport",
        "dotLineReport",
        "assistant",
        "dotLineManager",
        "alternateContact",
        "friend",
        "spouse",
        "sibling",
        "child",
        "parent",
        "sponsor",
        "emergencyContact",
        "other",
        "unknownFutureValue",
    ),
)
SKILL_PROFICIENCY_LEVEL = Enum(
    "skillProficiencyLevel",
    ("elementary", "limitedWorking", "generalProfessional", "advancedProfessional", "expert", "unknownFutureValue"),
)

# --- complex types -----------------------------------------------------------------------------
ORIGIN_TENANT_INFO = ComplexType("originTenantInfo", {"originTenantId": Text(), "originUserId": Text()})
LOCALE_INFO = ComplexType("localeInfo", {"displayName": Text(), "locale": LANGUAGE_TAG})
PHYSICAL_ADDRESS = ComplexType(
    "physicalAddress",
    {
        "city": Text(),
        "countryOrRegion": Text(),
        "postOfficeBox": Text(),
        "postalCode": Text(),
        "state": Text(),
        "street": Text(),
        "type": PHYSICAL_ADDRESS_TYPE,
    },
)
GEO_COORDINATES = ComplexType("geoCoordinates", {"altitude": Double(), "latitude": Double(), "longitude": Double()})
INSTITUTION_DATA = ComplexType(
    "institutionData",
    {"description": LONG_TEXT, "displayName": Text(), "location": Complex(PHYSICAL_ADDRESS), "webUrl": URL},
)
EDUCATIONAL_ACTIVITY_DETAIL = ComplexType(
    "educationalActivityDetail",
    {
        "abbreviation": Text(),
        "activities": ListOf(Text()),
        "awards": ListOf(Text()),
        "description": LONG_TEXT,
        "displayName": Text(),
        "fieldsOfStudy": ListOf(Text()),
        "grade": Text(),
        "notes": LONG_TEXT,
        "webUrl": URL,
    },
)
PERSON_NAME_PRONOUNCIATION = ComplexType(
    "personNamePronounciation",
    {"displayName": Text(), "first": Text(), "last": Text(), "maiden": Text(), "middle": Text()},
)
ITEM_BODY = ComplexType("itemBody", {"content": LONG_TEXT, "contentType": BODY_TYPE})
RELATED_PERSON = ComplexType(
    "relatedPerson",
    {
        "displayName": Text(),
        "relationship": PERSON_RELATIONSHIP,
        "relationshipLabel": Text(),
        "userId": Text(),
        "userPrincipalName": Text(),
    },
)
COMPANY_DETAIL = ComplexType(
    "companyDetail",
    {
        "address": Complex(PHYSICAL_ADDRESS),
        "companyCode": Text(),
        "costCenter": Text(),
        "department": Text(),
        "displayName": Text(),
        "division": Text(),
        "officeLocation": Text(),
        "pronunciation": Text(),
        "secondaryDepartment": Text(),
        "webUrl": URL,
    },
)
POSITION_DETAIL = ComplexType(
    "positionDetail",
    {
        "company": Complex(COMPANY_DETAIL),
        "description": LONG_TEXT,
        "employeeId": Text(),
        "employeeType": Text(),
        "endMonthYear": Date(),
        "jobTitle": Text(),
        "layer": Int32(),
        "level": Text(),
        "role": Text(),
        "secondaryJobTitle": Text(),
        "secondaryRole": Text(),
        "startMonthYear": Date(),
        "summary": LONG_TEXT,
    },
)
SERVICE_INFORMATION = ComplexType("serviceInformation", {"name": Text(), "webUrl": URL})
