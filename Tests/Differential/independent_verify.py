#!/usr/bin/env python3
"""An independent verifier of Alipay notification bodies, written from the
canonical rule in Tests/Fixtures/README.md with Python's own form decoding,
codecs and the `cryptography` package (OpenSSL through a different binding
and none of the project's code).

Reads one raw body per line on stdin, hex-encoded; prints `valid` or
`invalid <reason>` per line. Arguments: the trusted public key files (PEM).
"""
import base64
import binascii
import sys
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "gbk": "gbk", "gb2312": "gbk", "cp936": "gbk"}


def verdict(body, keys):
    # 1-2. Split on '&', then at the first '='; decode '+' and %XX once.
    raw = []
    for piece in body.split(b"&"):
        if not piece:
            continue
        key, _, value = piece.partition(b"=")
        if not key:
            return "invalid empty parameter name"
        raw.append((urllib.parse.unquote_to_bytes(key.replace(b"+", b" ")),
                    urllib.parse.unquote_to_bytes(value.replace(b"+", b" "))))
    # 3. The charset parameter (ASCII), UTF-8 when absent; strict decoding.
    charset = "utf-8"
    for key, value in raw:
        if key == b"charset":
            try:
                charset = CHARSETS[value.decode("ascii").lower()]
            except (UnicodeDecodeError, KeyError):
                return "invalid unsupported charset"
            break
    try:
        params = [(key.decode(charset), value.decode(charset)) for key, value in raw]
    except UnicodeDecodeError:
        return "invalid text not valid in " + charset
    # 4. No duplicates.
    names = [key for key, _ in params]
    if len(set(names)) != len(names):
        return "invalid duplicate parameter"
    fields = dict(params)
    # 10. sign_type RSA2 or absent (an empty value counts as absent).
    if fields.get("sign_type", "") not in ("", "RSA2"):
        return "invalid sign_type"
    # 9. sign: standard base64 with padding.
    sign = fields.get("sign", "")
    if not sign:
        return "invalid sign missing"
    try:
        signature = base64.b64decode(sign.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return "invalid sign not base64"
    # 5-8. Canonical string: no sign/sign_type, no empty values, sorted by
    # the UTF-8 bytes of the key, k=v joined with '&', in the charset.
    chosen = [(k, v) for k, v in params if k not in ("sign", "sign_type") and v != ""]
    chosen.sort(key=lambda pair: pair[0].encode("utf-8"))
    content = "&".join(f"{k}={v}" for k, v in chosen).encode(charset)
    for key in keys:
        try:
            key.verify(signature, content, padding.PKCS1v15(), hashes.SHA256())
            return "valid"
        except InvalidSignature:
            pass
    return "invalid signature mismatch"


def main():
    keys = [serialization.load_pem_public_key(open(path, "rb").read()) for path in sys.argv[1:]]
    for line in sys.stdin:
        print(verdict(bytes.fromhex(line.strip()), keys))


if __name__ == "__main__":
    main()
