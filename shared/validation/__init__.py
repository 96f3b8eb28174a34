"""Strict JSON body parsing and request-body validation (contract §2-§3). Nothing here touches HTTP or storage.

Decisions (where the contract leaves room):
- Order in parse_json_object: size (413) -> empty -> Content-Type -> UTF-8 -> depth -> JSON -> object.
  An empty or JSON-whitespace-only body needs no Content-Type.
- Content-Type: media type `application/json`, case-insensitive; any `name=value` parameters; empty
  `;` segments tolerated; `charset`, if present, must be `utf-8` (any case, optionally quoted; `utf8`
  is refused). Every failure is Graph's 400 "Unable to read JSON request payload. ...".
- A UTF-8 byte order mark is refused (RFC 8259 §8.1 says senders MUST NOT add one); invalid UTF-8
  (including overlongs and encoded surrogates) is reported at the first bad byte.
- JSON errors read "Invalid JSON at line L, column C: <reason>." Lines and columns are 1-based and
  count characters (code points), as `json` does; a trailing comma is reported at the comma.
- Refused beyond `json.loads`: NaN/Infinity/-Infinity, numbers whose magnitude overflows a double
  (1e309, 400-digit integers), duplicate property names (reported at the second occurrence), nesting
  deeper than 32 (the top-level object is level 1), and `\\u` escapes that leave an unpaired surrogate
  (they could not be stored as UTF-8).
- allowedAudiences: whitespace around members is tolerated, duplicates fold, `me` combined with others
  drops out, empty members are refused; at most 256 characters. null (create or PATCH) means "me".
- countryCode: exactly two ASCII letters naming an assigned ISO 3166-1 code (pycountry; `XK`, `UK` are
  refused). Longer than 256 -> "too long", otherwise "not an assigned code".
- preferredLanguageTag.locale: at most 35 characters (RFC 5646 §4.4.1), ASCII letters/digits separated
  by '-' (so `en_US` is refused), well-formed per langcodes, and a primary language subtag of 2-3
  letters that is an ISO 639 code (639-1, 639-2/T, 639-2/B or 639-3 per pycountry; deprecated codes
  such as `iw` and private-use `qaa`-`qtz` are refused). Returned in RFC 5646 §2.1.1 case: `en-us` ->
  `en-US`, `zh-hant-tw` -> `zh-Hant-TW`; subtags are never replaced.
- Complex values (localeInfo, inferenceData, personDataSource): members optional and nullable except
  `source.type`; `@odata.type` inside them is an unknown member; a complex value replaces the stored
  one as a whole (every member is set on the returned model, omitted ones as null).
- confidenceScore: int or float (never bool), finite; returned as float. No range is imposed.
- Messages never echo values; client-supplied property names are cut to 64 characters.
"""
from shared.validation.account import validate_account_create, validate_account_patch
from shared.validation.audiences import audience_members, canonical_audiences
from shared.validation.json_body import parse_json_object
from shared.validation.profile import validate_profile_body

__all__ = [
    "audience_members",
    "canonical_audiences",
    "parse_json_object",
    "validate_account_create",
    "validate_account_patch",
    "validate_profile_body",
]
