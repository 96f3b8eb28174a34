"""userAccountInformation request bodies (§2): strict types, canonical values, every problem reported."""
from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from shared.errors import BadRequest
from shared.models.account import ODATA_TYPE, READ_ONLY_PROPERTIES, WRITABLE_PROPERTIES, AccountInput
from shared.validation.audiences import audience_members, canonical_audiences
from shared.validation.codes import country_code
from shared.validation.complex_types import MAX_TEXT, inference_data, locale_info, optional_text, person_data_source
from shared.validation.json_body import NOT_OBJECT_MESSAGE
from shared.validation.problems import Problems

TYPE_NAME = "microsoft.graph.userAccountInformation"
ODATA_TYPE_KEY = "@odata.type"
#: What create applies for a property the client left out.
DEFAULTS: dict[str, object] = {name: None for name in WRITABLE_PROPERTIES} | {"allowedAudiences": "me"}


def validate_account_create(doc: dict) -> AccountInput:
    """A create body as AccountInput with every field set (omitted ones get their defaults)."""
    values = _validate(doc)
    return _build(DEFAULTS | values)


def validate_account_patch(doc: dict) -> AccountInput:
    """A PATCH body as AccountInput with only the fields sent set (`model_dump(exclude_unset=True)`)."""
    return _build(_validate(doc))


def _validate(doc: dict) -> dict[str, object]:
    if not isinstance(doc, dict):
        raise BadRequest(NOT_OBJECT_MESSAGE)
    problems = Problems()
    values: dict[str, object] = {}
    for key, value in doc.items():
        if key == ODATA_TYPE_KEY:
            if value != ODATA_TYPE:
                problems.invalid(key, f"The value of '{key}' must be '{ODATA_TYPE}'.")
        elif key in _FIELDS:
            values[key] = _FIELDS[key](value, key, problems)
        elif key in READ_ONLY_PROPERTIES:
            problems.read_only(key)
        else:
            problems.unknown(str(key), TYPE_NAME)
    problems.raise_if_any()
    return values


def _build(values: dict[str, object]) -> AccountInput:
    """The model from already-canonical values; a refusal here is reported without pydantic's text."""
    try:
        return AccountInput.model_validate(values)
    except ValidationError as exc:
        problems = Problems()
        for error in exc.errors(include_url=False, include_input=False):
            target = ".".join(str(part) for part in error["loc"])
            problems.invalid(target, f"The value of '{target}' is not valid.")
        problems.raise_if_any()
        raise  # unreachable: a ValidationError always has at least one error


def _audiences(value: object, name: str, problems: Problems) -> str:
    if value is None:
        return "me"
    try:
        audience_members(value)  # type: ignore[arg-type]
    except BadRequest as exc:
        problems.extend(exc.details)
        return "me"
    return canonical_audiences(value)  # type: ignore[arg-type]


def _country(value: object, name: str, problems: Problems) -> str | None:
    text = optional_text(value, name, MAX_TEXT, problems)
    if text is None:
        return None
    code = country_code(text)
    if code is None:
        problems.invalid(name, f"The value of '{name}' must be an assigned ISO 3166-1 alpha-2 country code, such as 'NO'.")
    return code
    if not isinstance(value, str):
        problems.wrong_type(name, "a string or null")
    elif len(value) > MAX_TEXT:
        problems.too_long(name, MAX_TEXT)
    else:
        code = country_code(value)
        if code is None:
            problems.invalid(
                name, f"The value of '{name}' must be an assigned ISO 3166-1 alpha-2 country code, such as 'NO'."
            )
        return code
    return None


def _flag(value: object, name: str, problems: Problems) -> bool | None:
    if value is not None and not isinstance(value, bool):
        problems.wrong_type(name, "a boolean or null")
        return None
    return value


_FIELDS: dict[str, Callable[[object, str, Problems], object]] = {
    "allowedAudiences": _audiences,
    "countryCode": _country,
    "preferredLanguageTag": locale_info,
    "inference": inference_data,
    "source": person_data_source,
    "isSearchable": _flag,
}
