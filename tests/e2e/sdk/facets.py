"""Every collection as a Graph developer writes it with msgraph-beta-sdk's models.

Each `FacetCase` holds:
- `build()`: a facet with every writable property set through the SDK's model constructors, nested
  complex types fully populated (itemFacet's inference, source, sources included);
- `change`: the one property a get-modify-patch changes (SDK attribute name, new value);
- `bad_enum`: where in the JSON body an enum member can be replaced by a string that is not one, and
  the name the 400 reports for it;
- `collection_of(profile)` / `item_of(profile, id)`: the SDK's request builders for the collection
  (`responsibilities`, which the SDK has a model but no builders for: tests/e2e/sdk/responsibilities.py).

"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from msgraph_beta.generated.models.allowed_audiences import AllowedAudiences
from msgraph_beta.generated.models.body_type import BodyType
from msgraph_beta.generated.models.company_detail import CompanyDetail
from msgraph_beta.generated.models.educational_activity import EducationalActivity
from msgraph_beta.generated.models.educational_activity_detail import EducationalActivityDetail
from msgraph_beta.generated.models.email_type import EmailType
from msgraph_beta.generated.models.geo_coordinates import GeoCoordinates
from msgraph_beta.generated.models.inference_data import InferenceData
from msgraph_beta.generated.models.institution_data import InstitutionData
from msgraph_beta.generated.models.item_address import ItemAddress
from msgraph_beta.generated.models.item_body import ItemBody
from msgraph_beta.generated.models.item_email import ItemEmail
from msgraph_beta.generated.models.item_facet import ItemFacet
from msgraph_beta.generated.models.item_patent import ItemPatent
from msgraph_beta.generated.models.item_phone import ItemPhone
from msgraph_beta.generated.models.item_publication import ItemPublication
from msgraph_beta.generated.models.language_proficiency import LanguageProficiency
from msgraph_beta.generated.models.language_proficiency_level import LanguageProficiencyLevel
from msgraph_beta.generated.models.locale_info import LocaleInfo
from msgraph_beta.generated.models.person_annotation import PersonAnnotation
from msgraph_beta.generated.models.person_annual_event import PersonAnnualEvent
from msgraph_beta.generated.models.person_annual_event_type import PersonAnnualEventType
from msgraph_beta.generated.models.person_award import PersonAward
from msgraph_beta.generated.models.person_certification import PersonCertification
from msgraph_beta.generated.models.person_data_sources import PersonDataSources
from msgraph_beta.generated.models.person_interest import PersonInterest
from msgraph_beta.generated.models.person_name import PersonName
from msgraph_beta.generated.models.person_name_pronounciation import PersonNamePronounciation
from msgraph_beta.generated.models.person_relationship import PersonRelationship
from msgraph_beta.generated.models.person_responsibility import PersonResponsibility
from msgraph_beta.generated.models.person_website import PersonWebsite
from msgraph_beta.generated.models.phone_type import PhoneType
from msgraph_beta.generated.models.physical_address import PhysicalAddress
from msgraph_beta.generated.models.physical_address_type import PhysicalAddressType
from msgraph_beta.generated.models.position_detail import PositionDetail
from msgraph_beta.generated.models.profile_source_annotation import ProfileSourceAnnotation
from msgraph_beta.generated.models.project_participation import ProjectParticipation
from msgraph_beta.generated.models.related_person import RelatedPerson
from msgraph_beta.generated.models.service_information import ServiceInformation
from msgraph_beta.generated.models.skill_proficiency import SkillProficiency
from msgraph_beta.generated.models.skill_proficiency_level import SkillProficiencyLevel
from msgraph_beta.generated.models.user_account_information import UserAccountInformation
from msgraph_beta.generated.models.web_account import WebAccount
from msgraph_beta.generated.models.work_position import WorkPosition

from tests.e2e.sdk.responsibilities import ResponsibilitiesRequestBuilder

Path = tuple[str | int, ...]


# --- what every facet inherits from itemFacet ------------------------------------------------------------


def item_facet(own_property: str) -> dict[str, Any]:
    """itemFacet's writable properties, all set; `sources` annotates `own_property` (a wire name)."""
    return {
        "allowed_audiences": AllowedAudiences.Organization,
        "inference": InferenceData(confidence_score=0.875, user_has_verified_accuracy=True),
        "is_searchable": True,
        "source": PersonDataSources(type=["User", "HR"]),
        "sources": [
            ProfileSourceAnnotation(
                source_id="hr-sync", is_default_source=True, properties=[own_property, "allowedAudiences"]
            ),
            ProfileSourceAnnotation(source_id="self-service", is_default_source=False, properties=[]),
        ],
    }


def address(kind: PhysicalAddressType = PhysicalAddressType.Business) -> PhysicalAddress:
    return PhysicalAddress(
        city="Oslo",
        country_or_region="Norway",
        post_office_box="PO Box 42",
        postal_code="0150",
        state="Oslo",
        street="Dronning Eufemias gate 71",
        type=kind,
    )


def company(name: str = "Contoso") -> CompanyDetail:
    return CompanyDetail(
        address=address(),
        company_code="CT-01",
        cost_center="CC-4711",
        department="Engineering",
        display_name=name,
        division="Cloud",
        office_location="Building 5",
        pronunciation="KON-toe-so",
        secondary_department="Research",
        web_url="https://www.contoso.com/",
    )


def person(name: str, relationship: PersonRelationship) -> RelatedPerson:
    handle = name.lower().replace(" ", ".")
    return RelatedPerson(
        display_name=name,
        relationship=relationship,
        relationship_label=f"My {relationship.value}",
        user_id="a3a5e0d2-6f34-4b1b-9b8e-5c2a7d3e4f10",
        user_principal_name=f"{handle}@contoso.com",
    )


def position_detail() -> PositionDetail:
    return PositionDetail(
        company=company(),
        description="Builds the profile service.",
        employee_id="E-1024",
        employee_type="Full time",
        end_month_year=datetime.date(2024, 12, 1),
        job_title="Senior Engineer",
        layer=3,
        level="L63",
        role="Engineering",
        secondary_job_title="Tech Lead",
        secondary_role="Mentor",
        start_month_year=datetime.date(2019, 3, 1),
        summary="Owns storage and the query engine.",
    )


# --- one builder per collection -------------------------------------------------------------------------


def account() -> UserAccountInformation:
    return UserAccountInformation(
        **item_facet("countryCode"),
        country_code="NO",
        preferred_language_tag=LocaleInfo(locale="nb-NO", display_name="Norwegian Bokmål (Norway)"),
    )


def addresses() -> ItemAddress:
    return ItemAddress(
        **item_facet("detail"),
        detail=address(PhysicalAddressType.Home),
        display_name="Home",
        geo_coordinates=GeoCoordinates(altitude=23.5, latitude=59.9075, longitude=10.7586),
    )


def anniversaries() -> PersonAnnualEvent:
    return PersonAnnualEvent(
        **item_facet("date"),
        date=datetime.date(1990, 5, 17),
        display_name="Birthday",
        type=PersonAnnualEventType.Birthday,
    )


def awards() -> PersonAward:
    return PersonAward(
        **item_facet("displayName"),
        description="For the storage rewrite.",
        display_name="Engineer of the year",
        issued_date=datetime.date(2023, 1, 31),
        issuing_authority="Contoso",
        thumbnail_url="https://www.contoso.com/awards/thumb.png",
        web_url="https://www.contoso.com/awards/2023",
    )


def certifications() -> PersonCertification:
    return PersonCertification(
        **item_facet("certificationId"),
        certification_id="AZ-204",
        description="Developing Solutions for Microsoft Azure.",
        display_name="Azure Developer Associate",
        end_date=datetime.date(2026, 6, 30),
        issued_date=datetime.date(2024, 6, 30),
        issuing_authority="Microsoft",
        issuing_company="Microsoft",
        start_date=datetime.date(2024, 6, 30),
        thumbnail_url="https://learn.microsoft.com/badge.png",
        web_url="https://learn.microsoft.com/credentials/az-204",
    )


def educational_activities() -> EducationalActivity:
    return EducationalActivity(
        **item_facet("institution"),
        completion_month_year=datetime.date(2012, 6, 1),
        end_month_year=datetime.date(2012, 6, 1),
        start_month_year=datetime.date(2007, 8, 1),
        institution=InstitutionData(
            description="Norway's largest university.",
            display_name="University of Oslo",
            location=address(PhysicalAddressType.Other),
            web_url="https://www.uio.no/",
        ),
        program=EducationalActivityDetail(
            abbreviation="MSc",
            activities=["Chess club", "Student radio"],
            awards=["Dean's list"],
            description="Master of Science in Informatics.",
            display_name="Informatics",
            fields_of_study=["Databases", "Distributed systems"],
            grade="A",
            notes="Thesis on replicated logs.",
            web_url="https://www.uio.no/studier/informatikk",
        ),
    )


def emails() -> ItemEmail:
    return ItemEmail(
        **item_facet("address"), address="adele.vance@contoso.com", display_name="Work", type=EmailType.Work
    )


def interests() -> PersonInterest:
    return PersonInterest(
        **item_facet("displayName"),
        categories=["Sport", "Outdoors"],
        collaboration_tags=["askMeAbout"],
        description="Cross-country skiing.",
        display_name="Skiing",
        thumbnail_url="https://www.contoso.com/ski.png",
        web_url="https://www.skiforeningen.no/",
    )


def languages() -> LanguageProficiency:
    return LanguageProficiency(
        **item_facet("tag"),
        display_name="Norwegian",
        proficiency=LanguageProficiencyLevel.NativeOrBilingual,
        reading=LanguageProficiencyLevel.FullProfessional,
        spoken=LanguageProficiencyLevel.NativeOrBilingual,
        tag="nb-NO",
        thumbnail_url="https://www.contoso.com/flags/no.png",
        written=LanguageProficiencyLevel.ProfessionalWorking,
    )


def names() -> PersonName:
    return PersonName(
        **item_facet("first"),
        display_name="Dr. Adele Marie Vance",
        first="Adele",
        initials="AMV",
        language_tag="en-US",
        last="Vance",
        maiden="Smith",
        middle="Marie",
        nickname="Addie",
        suffix="PhD",
        title="Dr.",
        pronunciation=PersonNamePronounciation(
            display_name="ah-DELL VANS",
            first="ah-DELL",
            last="VANS",
            maiden="SMITH",
            middle="mah-REE",
        ),
    )


def notes() -> PersonAnnotation:
    return PersonAnnotation(
        **item_facet("detail"),
        detail=ItemBody(content="<p>Prefers e-mail to calls.</p>", content_type=BodyType.Html),
        display_name="About me",
        thumbnail_url="https://www.contoso.com/notes/thumb.png",
    )


def patents() -> ItemPatent:
    return ItemPatent(
        **item_facet("number"),
        description="A method for paging without skips.",
        display_name="Stable paging",
        is_pending=True,
        issued_date=datetime.date(2022, 9, 1),
        issuing_authority="USPTO",
        number="US 11,222,333 B2",
        web_url="https://patents.example.com/US11222333",
    )


def phones() -> ItemPhone:
    return ItemPhone(**item_facet("number"), display_name="Mobile", number="+47 912 34 567", type=PhoneType.Mobile)


def positions() -> WorkPosition:
    return WorkPosition(
        **item_facet("detail"),
        categories=["Engineering", "Storage"],
        detail=position_detail(),
        is_current=True,
        colleagues=[
            person("Alex Wilber", PersonRelationship.Colleague),
            person("Megan Bowen", PersonRelationship.DotLineManager),
        ],
        manager=person("Nestor Wilke", PersonRelationship.Manager),
    )


def projects() -> ProjectParticipation:
    return ProjectParticipation(
        **item_facet("displayName"),
        categories=["Cloud"],
        client=company("Fabrikam"),
        collaboration_tags=["askMeAbout", "ableToMentor"],
        colleagues=[person("Alex Wilber", PersonRelationship.Colleague)],
        detail=position_detail(),
        display_name="Profile API",
        sponsors=[person("Nestor Wilke", PersonRelationship.Sponsor)],
        thumbnail_url="https://www.contoso.com/projects/profile.png",
    )


def publications() -> ItemPublication:
    return ItemPublication(
        **item_facet("publisher"),
        description="How the profile service pages.",
        display_name="Paging in practice",
        published_date=datetime.date(2021, 11, 2),
        publisher="Contoso Press",
        thumbnail_url="https://www.contoso.com/press/thumb.png",
        web_url="https://www.contoso.com/press/paging",
    )


def responsibilities() -> PersonResponsibility:
    return PersonResponsibility(
        **item_facet("collaborationTags"),
        collaboration_tags=["askMeAbout", "ableToMentor"],
        description="Runs the storage on-call rotation.",
        display_name="Storage on-call lead",
        thumbnail_url="https://www.contoso.com/on-call/thumb.png",
        web_url="https://www.contoso.com/on-call",
    )


def skills() -> SkillProficiency:
    return SkillProficiency(
        **item_facet("proficiency"),
        categories=["Programming"],
        collaboration_tags=["ableToMentor"],
        display_name="Python",
        proficiency=SkillProficiencyLevel.Expert,
        thumbnail_url="https://www.python.org/static/favicon.ico",
        web_url="https://www.python.org/",
    )


def web_accounts() -> WebAccount:
    return WebAccount(
        **item_facet("userId"),
        description="Code and contributions.",
        service=ServiceInformation(name="GitHub", web_url="https://github.com/"),
        status_message="Shipping",
        thumbnail_url="https://github.com/avatar.png",
        user_id="adelev",
        web_url="https://github.com/adelev",
    )


def websites() -> PersonWebsite:
    return PersonWebsite(
        **item_facet("webUrl"),
        categories=["Blog"],
        description="Notes on distributed systems.",
        display_name="Adele's blog",
        thumbnail_url="https://adele.example.com/thumb.png",
        web_url="https://adele.example.com/",
    )


# --- the cases -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetCase:
    collection: str  # Graph's wire name of the collection
    attr: str  # the profile request builder's attribute for it
    by_id: str  # the collection builder's method that addresses one facet
    build: Callable[[], ItemFacet]
    change: tuple[str, Any]
    bad_enum: tuple[Path, str]  # (path in the JSON body, the name the 400 reports)
    #: Builds the collection's request builder from the profile's, where the SDK has no attribute for it.
    builder: Callable[[Any], Any] | None = None

    def collection_of(self, profile: Any) -> Any:
        return self.builder(profile) if self.builder else getattr(profile, self.attr)

    def item_of(self, profile: Any, facet_id: str) -> Any:
        return getattr(self.collection_of(profile), self.by_id)(facet_id)

    def __str__(self) -> str:
        return self.collection


AUDIENCES: tuple[Path, str] = (("allowedAudiences",), "allowedAudiences")
CASES = (
    FacetCase("account", "account", "by_user_account_information_id", account, ("country_code", "SE"), AUDIENCES),
    FacetCase(
        "addresses",
        "addresses",
        "by_item_address_id",
        addresses,
        ("display_name", "Cabin"),
        (("detail", "type"), "detail.type"),
    ),
    FacetCase(
        "anniversaries",
        "anniversaries",
        "by_person_annual_event_id",
        anniversaries,
        ("date", datetime.date(1990, 5, 18)),
        (("type",), "type"),
    ),
    FacetCase("awards", "awards", "by_person_award_id", awards, ("display_name", "Mentor of the year"), AUDIENCES),
    FacetCase(
        "certifications",
        "certifications",
        "by_person_certification_id",
        certifications,
        ("display_name", "Azure Solutions Architect"),
        AUDIENCES,
    ),
    FacetCase(
        "educationalActivities",
        "educational_activities",
        "by_educational_activity_id",
        educational_activities,
        ("completion_month_year", datetime.date(2012, 9, 1)),
        (("institution", "location", "type"), "institution.location.type"),
    ),
    FacetCase("emails", "emails", "by_item_email_id", emails, ("address", "adele@contoso.com"), (("type",), "type")),
    FacetCase(
        "interests", "interests", "by_person_interest_id", interests, ("display_name", "Telemark skiing"), AUDIENCES
    ),
    FacetCase(
        "languages",
        "languages",
        "by_language_proficiency_id",
        languages,
        ("display_name", "Norsk"),
        (("proficiency",), "proficiency"),
    ),
    FacetCase("names", "names", "by_person_name_id", names, ("nickname", "Del"), AUDIENCES),
    FacetCase(
        "notes",
        "notes",
        "by_person_annotation_id",
        notes,
        ("display_name", "Working hours"),
        (("detail", "contentType"), "detail.contentType"),
    ),
    FacetCase("patents", "patents", "by_item_patent_id", patents, ("is_pending", False), AUDIENCES),
    FacetCase("phones", "phones", "by_item_phone_id", phones, ("number", "+47 987 65 432"), (("type",), "type")),
    FacetCase(
        "positions",
        "positions",
        "by_work_position_id",
        positions,
        ("is_current", False),
        (("manager", "relationship"), "manager.relationship"),
    ),
    FacetCase(
        "projects",
        "projects",
        "by_project_participation_id",
        projects,
        ("display_name", "Profile API v2"),
        (("client", "address", "type"), "client.address.type"),
    ),
    FacetCase(
        "publications",
        "publications",
        "by_item_publication_id",
        publications,
        ("publisher", "Contoso Books"),
        AUDIENCES,
    ),
    FacetCase(
        "responsibilities",
        "responsibilities",
        "by_person_responsibility_id",
        responsibilities,
        ("display_name", "Storage on-call deputy"),
        AUDIENCES,
        builder=ResponsibilitiesRequestBuilder.of,
    ),
    FacetCase(
        "skills",
        "skills",
        "by_skill_proficiency_id",
        skills,
        ("display_name", "CPython"),
        (("proficiency",), "proficiency"),
    ),
    FacetCase(
        "webAccounts", "web_accounts", "by_web_account_id", web_accounts, ("status_message", "On leave"), AUDIENCES
    ),
    FacetCase("websites", "websites", "by_person_website_id", websites, ("display_name", "Adele writes"), AUDIENCES),
)

#: The cases by collection name.
BY_COLLECTION = {case.collection: case for case in CASES}
