#!/usr/bin/env python3
"""Signs COUNT distinct copies of a SOAP request for the X.509 point of bench/run.sh, the way
zeep's BinarySignature does against the server in tests/interop/test_zeep_signature.py: a
wsu:Timestamp (Created now, Expires in five minutes) added to the wsse:Security header, then the
Body and that Timestamp signed (exclusive c14n, RSA-SHA256, SHA-256 digests) with KEY, its
certificate CERT as a BinarySecurityToken. zeep gives every signed element a fresh random wsu:Id,
so every copy has a signature of its own: the server remembers each signed message and refuses
it a second time. Writes the copies to OUT separated by a NUL byte (bench/post.lua's
BODIES_FILE), signing on every core.

Usage: sign.py TEMPLATE.xml CERT.pem KEY.pem COUNT OUT
"""
import datetime
import os
import sys
from multiprocessing import Pool

import xmlsec
from lxml import etree
from zeep.wsse.signature import _make_sign_key, _sign_envelope_with_key_binary
from zeep.wsse.utils import WSU, get_security_header, get_timestamp

template_path, cert, key, count, out = sys.argv[1:6]
template = open(template_path, "rb").read()


# What BinarySignature.apply does, with the key read once rather than for every message.
signing_key = _make_sign_key(open(key, "rb").read(), open(cert, "rb").read(), None)


def sign(n):
    envelope = etree.fromstring(template)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    get_security_header(envelope).append(
        WSU.Timestamp(WSU.Created(get_timestamp(now)), WSU.Expires(get_timestamp(now + datetime.timedelta(minutes=5))))
    )
    _sign_envelope_with_key_binary(envelope, signing_key, xmlsec.Transform.RSA_SHA256, xmlsec.Transform.SHA256)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


if __name__ == "__main__":
    with Pool(os.cpu_count()) as pool, open(out, "wb") as f:
        f.write(b"\0".join(pool.imap(sign, range(int(count)), chunksize=64)))
