#!/usr/bin/env python3
"""Checks a gateway request body the way Alipay's gateway does, independently
of the project's code: Python's form decoding and the `cryptography` package.

The signed text is every parameter except `sign` (`sign_type` included), empty
values skipped, sorted by key, joined `k=v` with `&`, values raw; the
signature is SHA256withRSA (PKCS#1 v1.5), base64.

Reads the body on stdin; the argument is the app's public key (PEM). Prints
one JSON object: {"valid": bool, "content": the signed text, "parameters": {...}}.
"""
import base64
import json
import sys
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def main():
    key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
    body = sys.stdin.buffer.read().decode("ascii")
    pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, strict_parsing=True, encoding="utf-8", errors="strict")
    parameters = dict(pairs)
    if len(parameters) != len(pairs):
        print(json.dumps({"valid": False, "content": "", "parameters": parameters, "reason": "duplicate parameter"}))
        return
    chosen = sorted((k, v) for k, v in pairs if k != "sign" and v != "")
    chosen.sort(key=lambda pair: pair[0].encode("utf-8"))
    content = "&".join(f"{k}={v}" for k, v in chosen)
    try:
        key.verify(base64.b64decode(parameters.get("sign", ""), validate=True), content.encode("utf-8"),
                   padding.PKCS1v15(), hashes.SHA256())
        valid = True
    except (InvalidSignature, ValueError):
        valid = False
    print(json.dumps({"valid": valid, "content": content, "parameters": parameters}, ensure_ascii=False))


if __name__ == "__main__":
    main()
