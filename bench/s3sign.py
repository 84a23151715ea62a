"""AWS Signature Version 4 for S3 requests, signed as the SDKs sign them: the signing key is
derived once per day (and region) and cached, so each request costs the canonical request's
SHA-256, the string to sign and one HMAC. For bench/state's S3 clients; nothing else.

    python3 bench/s3sign.py    # checks the signer against Amazon's published S3 examples
"""
import hashlib
import hmac
import time
import urllib.parse

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def encode(text):
    """A query name or value as SigV4 encodes it: every byte but A-Z a-z 0-9 - . _ ~ as %XX."""
    return urllib.parse.quote(text, safe="-_.~")


class Signer:
    """Signs requests with one access key in one region (service s3)."""

    def __init__(self, access_key, secret, region="us-east-1"):
        self.access_key, self.secret, self.region = access_key, secret, region
        self._keys = {}

    def signing_key(self, day):
        """The key of `day` (yyyymmdd), derived once and kept, as the SDKs do."""
        key = self._keys.get(day)
        if key is None:
            key = ("AWS4" + self.secret).encode()
            for part in (day, self.region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._keys = {day: key}
        return key

    def signature(self, method, path, query, headers, payload_hash, amz_date):
        """The signature of a request whose every header in `headers` ({lowercase name: value}) is
        signed; `path` is sent as is (already encoded), `query` is [(name, value)] unencoded."""
        canonical_query = "&".join(f"{n}={v}" for n, v in sorted((encode(n), encode(v)) for n, v in query))
        names = sorted(headers)
        canonical = "\n".join([
            method, path, canonical_query, "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in names),
            ";".join(names), payload_hash])
        day = amz_date[:8]
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        return hmac.new(self.signing_key(day), to_sign.encode(), hashlib.sha256).hexdigest(), scope, ";".join(names)

    def headers(self, method, host, path, query=(), body=b"", extra=None, now=None):
        """The headers to send: `extra` ({lowercase name: value}), host, x-amz-date,
        x-amz-content-sha256 (of `body`) and Authorization, every one of them signed."""
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        payload_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
        headers = dict(extra or {}, host=host, **{"x-amz-date": amz_date, "x-amz-content-sha256": payload_hash})
        signature, scope, signed = self.signature(method, path, query, headers, payload_hash, amz_date)
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={signature}")
        return headers


def check():
    """The examples of Amazon S3's "Signature Calculations for the Authorization Header", with their
    published signatures (also in Tests/S3APITests/SigV4Tests.swift); raises if one differs."""
    signer = Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    host, date = "examplebucket.s3.amazonaws.com", "20130524T000000Z"
    put_hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    examples = [
        ("GET", "/test.txt", [], {"host": host, "range": "bytes=0-9", "x-amz-content-sha256": EMPTY_SHA256,
                                  "x-amz-date": date}, EMPTY_SHA256,
         "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ("PUT", "/test%24file.text", [], {"date": "Fri, 24 May 2013 00:00:00 GMT", "host": host, "x-amz-date": date,
                                          "x-amz-storage-class": "REDUCED_REDUNDANCY", "x-amz-content-sha256": put_hash},
         put_hash, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        ("GET", "/", [("lifecycle", "")], {"host": host, "x-amz-date": date, "x-amz-content-sha256": EMPTY_SHA256},
         EMPTY_SHA256, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ("GET", "/", [("prefix", "J"), ("max-keys", "2")],
         {"host": host, "x-amz-date": date, "x-amz-content-sha256": EMPTY_SHA256}, EMPTY_SHA256,
         "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]
    for method, path, query, headers, payload_hash, published in examples:
        signature = signer.signature(method, path, query, headers, payload_hash, date)[0]
        if signature != published:
            raise AssertionError(f"s3sign: {method} {path} signed {signature}, Amazon publishes {published}")


if __name__ == "__main__":
    check()
    print("s3sign: Amazon's four S3 examples signed as published")
