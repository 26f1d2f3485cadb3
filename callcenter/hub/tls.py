"""TLS for the desktop hub: a self-signed certificate for development (`callcenter tls init`),
and the server's SSL context from whatever certificate the site configured.

The development certificate is a leaf (CA:FALSE, digitalSignature, serverAuth, its names), self-
signed, and trusted by pinning: the desktop accepts exactly that certificate (`--ca-file`), and
a Python client that loads it as its only trust anchor (`client_context`) accepts it too — but
not a certificate signed with its key, which is no CA's. Its key, should it leak, can impersonate
this one hub, not mint certificates the desktops accept."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
from pathlib import Path

import gevent.ssl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# TLS 1.2: forward secrecy and authenticated encryption only (no CBC, no RSA key exchange, no
# finite-field DHE). TLS 1.3's suites are all AEAD and are left as OpenSSL has them.
TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL"


def make_self_signed(cert_path: Path, key_path: Path, names: list[str],
                     days: int = 825) -> None:
    """An EC P-256 key and a self-signed leaf certificate for `names` (host names and IP
    addresses). The key's file is 0600, and so is a directory made for it."""
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                            "Hotline 1022 (development)")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            # A leaf: it signs no certificate (a verifier refuses any it would have issued).
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=False, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _make_dir(key_path.parent, private=True)
    _make_dir(cert_path.parent, private=False)
    # O_NOFOLLOW: a link planted where the key goes is not followed (the key is not written
    # elsewhere); an existing file keeps its mode through O_CREAT, hence the fchmod.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(key_path, flags, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _make_dir(path: Path, private: bool) -> None:
    """Made when missing (its missing parents too); one made for a key is 0700. A directory
    that exists already keeps its mode (it may be /etc/callcenter)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700 if private else 0o777, exist_ok=True)


def fingerprint(cert_path: Path) -> str:
    """The certificate's SHA-256, as AB:CD:…, to compare it where it is pinned."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def default_names() -> list[str]:
    return ["localhost", "127.0.0.1", "::1", socket.gethostname()]


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """TLS 1.2 or newer, AEAD suites with ECDHE only on TLS 1.2; no renegotiation. gevent's
    SSLContext: its sockets yield to other greenlets during the handshake and reads (a
    standard-library context would block the whole daemon)."""
    context = gevent.ssl.SSLContext(gevent.ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(TLS12_CIPHERS)
    context.options |= ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE
    context.load_cert_chain(cert_path, key_path)
    return context


def client_context(ca_path: Path) -> ssl.SSLContext:
    """For Python clients in a gevent process (tests, benchmarks): trust exactly this
    certificate (the development leaf is its own trust anchor; nothing it would have signed is
    accepted, as it is no CA), and check the host name."""
    context = gevent.ssl.SSLContext(gevent.ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(TLS12_CIPHERS)
    context.load_verify_locations(cafile=str(ca_path))
    return context
