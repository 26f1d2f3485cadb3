"""The desktop pins the hub's certificate: it accepts exactly the pinned certificate (for the
host it dials), and nothing else the system's CAs do not vouch for — in particular not a
certificate signed with the pinned one's key, even when the pinned one is a CA (as
`callcenter tls init` made them before: a file desktops may still be given). Against a
QWebSocketServer over TLS in this process."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PySide6.QtCore import QUrl
from PySide6.QtNetwork import QHostAddress, QSsl, QSslCertificate, QSslConfiguration, QSslKey
from PySide6.QtWebSockets import QWebSocketServer

from callcenter.hub.tls import make_self_signed
from desktop.hub_link import HubLink

Key = ec.EllipticCurvePrivateKey


def _write(path: Path, cert: x509.Certificate, key: Key) -> tuple[Path, Path]:
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return path.with_suffix(".crt"), path.with_suffix(".key")


def _builder(subject: x509.Name, issuer: x509.Name, key: Key) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False))


def old_development_ca(path: Path) -> tuple[Path, Path]:
    """A development certificate as `callcenter tls init` made it before: its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (_builder(name, name, key)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return _write(path, cert, key)


def signed_with(issuer_cert: Path, issuer_key: Path, path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made with the pinned certificate's key (as whoever got
    hold of the key could)."""
    issuer = x509.load_pem_x509_certificate(issuer_cert.read_bytes())
    signer = serialization.load_pem_private_key(issuer_key.read_bytes(), password=None)
    assert isinstance(signer, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minted")])
    cert = (_builder(name, issuer.subject, key)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                signer.public_key()), critical=False)
            .sign(signer, hashes.SHA256()))
    return _write(path, cert, key)


class TlsHub:
    """A WebSocket server over TLS presenting `cert`."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.server = QWebSocketServer("pinning", QWebSocketServer.SslMode.SecureMode)
        config = QSslConfiguration.defaultConfiguration()
        config.setLocalCertificate(QSslCertificate(cert.read_bytes(), QSsl.EncodingFormat.Pem))
        config.setPrivateKey(QSslKey(key.read_bytes(), QSsl.KeyAlgorithm.Ec,
                                     QSsl.EncodingFormat.Pem))
        self.server.setSslConfiguration(config)
        assert self.server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
        self.port = self.server.serverPort()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def dev(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "hub.crt", tmp_path / "hub.key"
    make_self_signed(cert, key, ["127.0.0.1"])
    return cert, key


@pytest.fixture
def serving(qapp: Any) -> Iterator[list[TlsHub]]:
    hubs: list[TlsHub] = []
    yield hubs
    for hub in hubs:
        hub.close()


def dial(qtbot: Any, presented: tuple[Path, Path], pinned: Path | None,
         serving: list[TlsHub], host: str = "127.0.0.1") -> str:
    """"opened", or why the link was lost."""
    hub = TlsHub(*presented)
    serving.append(hub)
    link = HubLink(ca_file=pinned, connect_timeout=10)
    outcome: list[str] = []
    link.opened.connect(lambda: outcome.append("opened"))
    link.lost.connect(outcome.append)
    link.url = QUrl(f"wss://{host}:{hub.port}/ws")
    link.open()
    try:
        qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)
    finally:
        link.close()
    return outcome[0]


def test_the_pinned_certificate_is_accepted(qtbot: Any, dev: tuple[Path, Path],
                                            serving: list[TlsHub]) -> None:
    assert dial(qtbot, dev, dev[0], serving) == "opened"


def test_nothing_pinned_or_another_certificate_pinned_is_refused(
        qtbot: Any, dev: tuple[Path, Path], serving: list[TlsHub], tmp_path: Path) -> None:
    assert "self-signed" in dial(qtbot, dev, None, serving).lower()
    other, other_key = tmp_path / "other.crt", tmp_path / "other.key"
    make_self_signed(other, other_key, ["127.0.0.1"])
    assert dial(qtbot, dev, other, serving) != "opened"


def test_the_pinned_certificate_for_another_host_is_refused(
        qtbot: Any, dev: tuple[Path, Path], serving: list[TlsHub], tmp_path: Path) -> None:
    cert, key = tmp_path / "only-there.crt", tmp_path / "only-there.key"
    make_self_signed(cert, key, ["hub.example"])
    assert "host name" in dial(qtbot, (cert, key), cert, serving).lower()


def test_a_certificate_signed_with_the_pinned_key_is_refused(
        qtbot: Any, dev: tuple[Path, Path], serving: list[TlsHub], tmp_path: Path) -> None:
    minted = signed_with(*dev, tmp_path / "minted")
    assert dial(qtbot, minted, dev[0], serving) != "opened"


def test_a_certificate_signed_by_a_pinned_old_development_ca_is_refused(
        qtbot: Any, serving: list[TlsHub], tmp_path: Path) -> None:
    """The pinned file is compared, not trusted as a CA: an old development certificate,
    which is a CA, still opens its own hub, and nothing its key signed."""
    ca = old_development_ca(tmp_path / "old")
    assert dial(qtbot, ca, ca[0], serving) == "opened"
    minted = signed_with(*ca, tmp_path / "minted")
    assert dial(qtbot, minted, ca[0], serving) != "opened"
