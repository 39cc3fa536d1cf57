"""Issue 12, item 11: with ``SEAL_TSA_URL`` the seal carries an RFC 3161 timestamp from
that server — here a local fake TSA (pyHanko's test timestamper behind HTTP)."""

import datetime as dt
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.files.storage import default_storage
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from enrolment.signature.seal import dossier_seal_check
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import sign

pytestmark = pytest.mark.django_db


def _tsa_stamper() -> DummyTimeStamper:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA de test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )


@pytest.fixture
def tsa_server():
    """An RFC 3161 server over HTTP on a free local port; yields (url, requests seen)."""
    stamper = _tsa_stamper()
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["Content-Type"])
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", seen
    server.shutdown()
    server.server_close()


def test_the_seal_carries_the_configured_servers_timestamp(
    tsa_server, settings, tmp_path, django_capture_on_commit_callbacks
):
    url, seen = tsa_server
    settings.VAR_DIR = tmp_path / "var"
    settings.SEAL_TSA_URL = url
    with django_capture_on_commit_callbacks(execute=True):
        evidence = sign(EnrolmentFactory(ready_to_sign=True))
    with default_storage.open(evidence.dossier.name) as handle:
        dossier = handle.read()

    # pyHanko asks twice: once to size the signature's placeholder, once for real.
    assert seen and set(seen) == {"application/timestamp-query"}
    assert hashlib.sha256(dossier).hexdigest() == evidence.dossier_sha256
    check = dossier_seal_check(dossier)
    assert check.intact and check.trusted
    assert check.timestamped
