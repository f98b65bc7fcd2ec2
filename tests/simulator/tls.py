# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throw-away CA and a server certificate for 127.0.0.1 and localhost, made at start-up.

Needs the ``cryptography`` package (ansible-core depends on it, so it is there wherever the
collection runs); it is imported only when the simulator serves HTTPS. Clients trust the
server by trusting the CA certificate written to ``--cert-out``.
"""

from __future__ import annotations

import datetime
import ipaddress
import pathlib
import ssl
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=30)
CLOCK_SKEW = datetime.timedelta(hours=1)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "alibabacloud.sgw simulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(**granted) -> x509.KeyUsage:
    usages = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
              "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{usage: granted.get(usage, False) for usage in usages})


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(now - CLOCK_SKEW)
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_certificates() -> tuple[bytes, bytes, bytes]:
    """PEM ``(ca_certificate, server_certificate, server_key)``."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("alibabacloud.sgw simulator CA")
    ca_cert = (_builder(ca_name, ca_name, ca_key.public_key())
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (_builder(_name("127.0.0.1"), ca_name, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (ca_cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.PEM), key_pem)


def server_context(cert_out=None) -> ssl.SSLContext:
    """A server-side TLS context with a fresh certificate; the CA certificate goes to ``cert_out``."""
    ca_pem, cert_pem, key_pem = make_certificates()
    if cert_out:
        pathlib.Path(cert_out).write_bytes(ca_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as directory:
        chain = pathlib.Path(directory, "chain.pem")
        key_file = pathlib.Path(directory, "key.pem")
        chain.write_bytes(cert_pem + ca_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(chain, key_file)
    return context
