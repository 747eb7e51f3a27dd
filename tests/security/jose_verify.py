#!/usr/bin/env python3
"""Verifies a TwinSeal call assertion with an independent JOSE library (jwcrypto).

usage: jose_verify.py <public-jwk-file> <compact-jws-file>
Prints the protected header and claims as JSON and exits 0 when the signature verifies.
"""
import json
import sys

from jwcrypto import jwk, jws


def main() -> int:
    key = jwk.JWK.from_json(open(sys.argv[1], encoding="utf-8").read())
    token = open(sys.argv[2], encoding="utf-8").read().strip()
    sig = jws.JWS()
    sig.deserialize(token)
    try:
        sig.verify(key)
    except jws.InvalidJWSSignature as exc:
        print(f"signature does not verify: {exc}", file=sys.stderr)
        return 1
    header = sig.jose_header
    claims = json.loads(sig.payload)
    if header.get("typ") != "passport" or header.get("ppt") != "avatar":
        print(f"unexpected header {header}", file=sys.stderr)
        return 1
    print(json.dumps({"header": header, "claims": claims}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
