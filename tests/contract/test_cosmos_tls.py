"""The Cosmos test server presents the certificate the tests made, and the adapter's clients verify it: a
client that trusts another certificate is refused (503, as any unreachable store), so a passing suite ran
over verified TLS, as it runs against Azure."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

import pytest

from shared.errors import ServiceUnavailable
from shared.repository.cosmos import CosmosRepository
from shared.settings import Settings
from tests.support import cosmos_quirks
from tests.support.cosmos_server import CosmosServer
from tests.support.cosmos_tls import certificate

pytestmark = pytest.mark.cosmos


def handshake(server: CosmosServer, context: ssl.SSLContext) -> None:
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1"),
    ):
        pass


def test_the_server_presents_the_certificate_the_tests_made(cosmos_server: CosmosServer) -> None:
    handshake(cosmos_server, ssl.create_default_context(cafile=certificate().cert))  # verified for 127.0.0.1
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(cosmos_server, ssl.create_default_context())  # the system's CAs do not know it


@pytest.fixture
def another_certificate_trusted(cosmos_server: CosmosServer) -> Iterator[None]:
    """The process's clients trust a certificate the server does not present (restored afterwards)."""
    cosmos_quirks.install(certificate.__wrapped__().cert)
    yield
    cosmos_quirks.install(certificate().cert)


def test_a_client_that_trusts_another_certificate_is_refused(
    cosmos_shared_settings: Settings, another_certificate_trusted: None
) -> None:
    repository = CosmosRepository.from_settings(cosmos_shared_settings)
    try:
        with pytest.raises(ServiceUnavailable):
            repository.secret("tls-check")
    finally:
        repository.close()
