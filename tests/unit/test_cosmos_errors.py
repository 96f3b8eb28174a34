"""Store failures that become a 500 are logged server-side; unavailability is a 503, not logged as a bug."""
from __future__ import annotations

import binascii
import logging

from azure.core.exceptions import ServiceRequestError

from shared.errors import ServiceUnavailable
from shared.repository.cosmos_errors import map_error


def test_an_unexpected_store_failure_is_a_logged_500_without_sdk_text(caplog):
    with caplog.at_level(logging.ERROR, logger="profile_api.cosmos"):
        mapped = map_error(binascii.Error("Invalid base64-encoded string"))
    assert mapped.status == 500 and "base64" not in mapped.message
    assert any(record.exc_info and "Error" in record.getMessage() for record in caplog.records)


def test_an_unreachable_store_is_503_and_not_logged_as_a_failure(caplog):
    with caplog.at_level(logging.ERROR, logger="profile_api.cosmos"):
        mapped = map_error(ServiceRequestError("connection refused to https://127.0.0.1:1"))
    assert isinstance(mapped, ServiceUnavailable) and mapped.headers["Retry-After"] == "5"
    assert "127.0.0.1" not in mapped.message and not caplog.records
