"""The Cosmos test server's TLS certificate, made by the tests, so its clients verify it as they verify Azure's.

@vercel/cosmosdb-server ships a certificate of its own (for `cosmosdb`, expired), so a client could only turn
verification off; and a client that does not verify still loads the system's CA bundle for every new connection
(urllib3), which cost more than the rest of a connection to the local server. Instead, each test process makes
one self-signed certificate for 127.0.0.1 and localhost (P-256, valid for a day), the servers it starts present
it (tests/support/cosmos_server.js, `--cert` / `--key`), and its Cosmos clients trust exactly that certificate
(`verifying`, installed by tests/support/cosmos_quirks.py). The local hosts it starts get the file's path in
`CA_VARIABLE`.
"""

from __future__ import annotations

import atexit
import datetime
import functools
import ipaddress
import shutil
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

#: The environment variable that hands a local host the certificate its Cosmos clients trust.
CA_VARIABLE = "TEST_COSMOS_SERVER_CA"


class Certificate(NamedTuple):
    cert: Path
    key: Path


@functools.cache
def certificate() -> Certificate:
    """This process's certificate and key (PEM files in a folder of their own, removed when the process ends),
    made on first use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cosmos test server")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = Path(tempfile.mkdtemp(prefix="cosmos-tls-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    files = Certificate(folder / "cert.pem", folder / "key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    files.key.chmod(0o600)
    return files


def verifying(ca: Path | str) -> dict[str, Any]:
    """CosmosClient options that verify the server with `ca`. azure-cosmos turns verification off for 127.0.0.1
    and localhost whatever `connection_verify` says, unless the client has an `ssl_config`: so both are given."""
    from azure.cosmos import SSLConfiguration

    tls = SSLConfiguration()
    tls.SSLCaCerts = str(ca)
    return {"connection_verify": str(ca), "ssl_config": tls}
