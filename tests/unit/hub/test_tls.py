"""The hub's TLS: TLS 1.2 offers only ECDHE with AEAD suites (TLS 1.3 as OpenSSL has it); the
development certificate is a leaf, self-signed, that a client pins — its key cannot make a
certificate that client accepts; its key is written 0600, in a directory made 0700."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from gevent import socket, ssl

from callcenter.cli.main import main
from callcenter.hub.server import Client, HubServer
from callcenter.hub.tls import client_context, fingerprint, make_self_signed, server_context


class Nobody:
    def connected(self, client: Client) -> None:
        client.close()

    def handle(self, client: Client, raw: str | bytes) -> None:
        pass

    def disconnected(self, client: Client, oversized: bool = False) -> None:
        pass


@contextmanager
def hub(cert: Path, key: Path) -> Iterator[tuple[str, int]]:
    server = HubServer(Nobody(), "127.0.0.1", 0, server_context(cert, key))
    server.start()
    try:
        yield server.address
    finally:
        server.stop()


def handshake(address: tuple[str, int], context: ssl.SSLContext) -> tuple[str, str]:
    """(protocol, cipher) the hub agreed to with this client."""
    with socket.create_connection(address, timeout=5) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        name, version, _bits = tls.cipher()
        return version, name


def signed_with(issuer_cert: Path, issuer_key: Path, out_cert: Path, out_key: Path) -> None:
    """A certificate for 127.0.0.1 signed with `issuer_key`, as whoever got hold of the
    development key could make."""
    issuer = x509.load_pem_x509_certificate(issuer_cert.read_bytes())
    signer = serialization.load_pem_private_key(issuer_key.read_bytes(), password=None)
    assert isinstance(signer, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(issuer.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                signer.public_key()), critical=False)
            .sign(signer, hashes.SHA256()))
    out_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    out_key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


def test_the_development_certificate_is_a_leaf(tmp_path: Path) -> None:
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1", "hub.example"])
    made = x509.load_pem_x509_certificate(cert.read_bytes())
    basic = made.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = made.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign and not usage.crl_sign
    assert list(made.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH]
    names = made.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["hub.example"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]


def test_the_pinned_certificate_is_accepted_and_what_its_key_signs_is_not(
        tmp_path: Path) -> None:
    """A client that loads the development certificate as its only trust anchor (the tests'
    and the benchmark's desktops) accepts it, under strict verification too; a certificate
    signed with its key is refused: the development certificate is no CA."""
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    strict = client_context(cert)
    strict.verify_flags |= ssl.VERIFY_X509_STRICT
    with hub(cert, key) as address:
        assert handshake(address, client_context(cert))[0] in ("TLSv1.2", "TLSv1.3")
        assert handshake(address, strict)[0] in ("TLSv1.2", "TLSv1.3")
    minted, minted_key = tmp_path / "minted.crt", tmp_path / "minted.key"
    signed_with(cert, key, minted, minted_key)
    with hub(minted, minted_key) as address, \
            pytest.raises(ssl.SSLCertVerificationError, match="invalid CA certificate"):
        handshake(address, client_context(cert))


def test_tls12_offers_ecdhe_with_aead_only(tmp_path: Path) -> None:
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    offered = [c for c in server_context(cert, key).get_ciphers() if c["protocol"] == "TLSv1.2"]
    assert offered and all(c["aead"] and c["kea"] == "kx-ecdhe" for c in offered), offered
    with hub(cert, key) as address:
        for cipher in ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                       "ECDHE-ECDSA-CHACHA20-POLY1305"):
            context = client_context(cert)
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers(cipher)
            assert handshake(address, context) == ("TLSv1.2", cipher)
        for cbc in ("ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
                    "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"):
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # a client that offers CBC only
            context.load_verify_locations(cafile=str(cert))
            context.maximum_version = ssl.TLSVersion.TLSv1_2
            context.set_ciphers(cbc)
            with pytest.raises(ssl.SSLError, match="HANDSHAKE_FAILURE"):
                handshake(address, context)
        assert handshake(address, client_context(cert))[0] == "TLSv1.3"


def test_tls_init_writes_the_key_private_and_prints_the_fingerprint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Even with umask 0: the key 0600 in a directory made 0700; `--force` over a key file
    left readable makes it 0600 too."""
    cert, key = tmp_path / "public" / "hub.crt", tmp_path / "private" / "tls" / "hub.key"
    before = os.umask(0)
    try:
        assert main(["tls", "init", "--cert", str(cert), "--key", str(key)]) == 0
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
        assert f"SHA-256: {fingerprint(cert)}" in capsys.readouterr().out
        key.chmod(0o644)
        assert main(["tls", "init", "--cert", str(cert), "--key", str(key), "--force"]) == 0
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        os.umask(before)
