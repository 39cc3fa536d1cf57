"""The mutuelle's PAdES seal on signed dossiers (pyHanko): any later change to the PDF
breaks it. With ``SEAL_TSA_URL`` the seal also carries a timestamp from that server.

Production reads the certificate and its key from ``SEAL_CERT_FILE`` /
``SEAL_KEY_FILE`` (PEM; ``SEAL_KEY_PASSWORD`` if the key is encrypted). Without them
(development), a self-signed certificate is generated once under ``VAR_DIR/seal/``.
"""

import asyncio
import datetime as dt
import logging
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

FIELD_NAME = "SceauMutuelle"


def _dev_material(folder: Path) -> tuple[Path, Path]:
    """A self-signed EC P-256 certificate for development, made once (written in a
    temporary folder renamed into place: concurrent processes end with one pair)."""
    cert_file, key_file = folder / "seal-cert.pem", folder / "seal-key.pem"
    if cert_file.exists() and key_file.exists():
        return cert_file, key_file
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".seal-", dir=folder.parent))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.MUTUELLE["name"]),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{settings.MUTUELLE['name']} (développement)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .sign(key, hashes.SHA256())
    )
    (work / key_file.name).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (work / key_file.name).chmod(0o600)
    (work / cert_file.name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    try:
        work.rename(folder)
    except OSError:  # another process made the pair first
        shutil.rmtree(work, ignore_errors=True)
    return cert_file, key_file


def seal_material() -> tuple[Path, Path]:
    """(certificate, key) files: from the configuration, or the development pair."""
    if settings.SEAL_CERT_FILE and settings.SEAL_KEY_FILE:
        return Path(settings.SEAL_CERT_FILE), Path(settings.SEAL_KEY_FILE)
    return _dev_material(Path(settings.VAR_DIR) / "seal")


@lru_cache(maxsize=4)
def _signer(cert_file: str, key_file: str, password: str) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load(
        key_file, cert_file, key_passphrase=password.encode() if password else None
    )
    if signer is None:
        raise RuntimeError("Certificat ou clé du sceau illisible (SEAL_CERT_FILE, SEAL_KEY_FILE).")
    return signer


def _timestamper():
    if not settings.SEAL_TSA_URL:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(settings.SEAL_TSA_URL, timeout=settings.SEAL_TSA_TIMEOUT)


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous API calls ``asyncio.run``, which fails in a thread that
    already runs an event loop (an async caller, a browser-test thread): there, run it
    in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def dossier_seal(pdf: bytes) -> bytes:
    """The PDF with the mutuelle's PAdES seal (and a timestamp when configured)."""
    return _outside_event_loop(_seal, pdf)


def _seal(pdf: bytes) -> bytes:
    cert_file, key_file = seal_material()
    signer = _signer(str(cert_file), str(key_file), settings.SEAL_KEY_PASSWORD)
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf)),
        signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason="Dossier de signature scellé par la mutuelle",
            location=settings.MUTUELLE["address"],
        ),
        signer=signer,
        timestamper=_timestamper(),
    )
    return out.getvalue()


@dataclass(frozen=True)
class SealCheck:
    intact: bool
    trusted: bool
    timestamped: bool
    summary: str


def dossier_seal_check(pdf: bytes) -> SealCheck:
    """Validate the seal against the configured certificate."""
    cert_file, _key = seal_material()
    root = load_cert_from_pemder(str(cert_file))
    reader = PdfFileReader(BytesIO(pdf))
    sealed = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
    if not sealed:
        return SealCheck(False, False, False, "aucun sceau de la mutuelle")
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    status = _outside_event_loop(
        validate_pdf_signature, sealed[0], ValidationContext(trust_roots=[root])
    )
    # ENTIRE_FILE: nothing was appended after the seal (an incremental update would
    # leave the signed revision intact but change what is shown).
    intact = (
        status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )
    return SealCheck(
        intact=bool(intact),
        trusted=bool(status.trusted),
        timestamped=status.timestamp_validity is not None,
        summary=status.summary(),
    )
