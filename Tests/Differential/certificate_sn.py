#!/usr/bin/env python3
"""Computes Alipay certificate SNs independently of the project's code, with
Python's `cryptography`: MD5 hex of the issuer DN (RFC 4514: components in
reverse order, joined with ',') followed by the serial number in decimal.

Usage: certificate_sn.py app CERT.pem    the SN of the first certificate
       certificate_sn.py root CHAIN.pem  the SNs of the chain's certificates
                                         signed with sha1/sha256WithRSA, '_'-joined
"""
import hashlib
import sys

from cryptography import x509
from cryptography.x509.oid import SignatureAlgorithmOID

RSA_SIGNATURES = {SignatureAlgorithmOID.RSA_WITH_SHA1, SignatureAlgorithmOID.RSA_WITH_SHA256}


def sn(certificate):
    text = certificate.issuer.rfc4514_string() + str(certificate.serial_number)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def main():
    mode, path = sys.argv[1], sys.argv[2]
    text = open(path, "rb").read()
    marker = b"-----BEGIN CERTIFICATE-----"
    certificates = [x509.load_pem_x509_certificate(marker + block) for block in text.split(marker)[1:]]
    if mode == "app":
        print(sn(certificates[0]))
    else:
        print("_".join(sn(c) for c in certificates if c.signature_algorithm_oid in RSA_SIGNATURES))


if __name__ == "__main__":
    main()
