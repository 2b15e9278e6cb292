#!/usr/bin/env python3
"""Checks that two servers answered one bench request with the same values: the first element
of each response's SOAP Body, compared element by element by namespace and local name, in
order, with each leaf's value compared as the contract types it (wsdl/BenchService.wsdl):
xs:decimal numerically, xs:dateTime as an instant, xs:int as a number, anything else as the
exact text. Prints the first difference and exits 1 when they differ. Run by bench/run.sh.

Usage: check_answers.py CONTRACT.wsdl EXPECTED.xml ACTUAL.xml
"""
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal

XSD = "{http://www.w3.org/2001/XMLSchema}"
BODIES = ("{http://schemas.xmlsoap.org/soap/envelope/}Body", "{http://www.w3.org/2003/05/soap-envelope}Body")


def leaf_types(contract):
    """The XSD type of every element the contract declares with one, by local name (each
    name has one type in the bench contract)."""
    types = {}
    for element in ET.parse(contract).iter(XSD + "element"):
        if "type" in element.attrib:
            types[element.attrib["name"]] = element.attrib["type"].split(":")[-1]
    return types


def typed(kind, text):
    text = text or ""
    if kind == "decimal":
        return Decimal(text.strip())
    if kind == "dateTime":
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if kind == "int":
        return int(text)
    return text


def local(tag):
    return tag.split("}")[-1]


def answer(path):
    root = ET.parse(path).getroot()
    body = next((e for e in root if e.tag in BODIES), None)
    if body is None or len(body) == 0:
        sys.exit(f"{path}: no SOAP Body child")
    return body[0]


def differences(types, expected, actual, where):
    """The differences between two elements, `where` naming them."""
    if expected.tag != actual.tag:
        yield f"{where}: {actual.tag} where {expected.tag} was expected"
    elif len(expected) != len(actual):
        yield f"{where}: {len(actual)} children where {len(expected)} were expected"
    elif len(expected) == 0:
        kind = types.get(local(expected.tag), "string")
        if typed(kind, expected.text) != typed(kind, actual.text):
            yield f"{where}: {actual.text!r} where {expected.text!r} was expected (as xs:{kind})"
    else:
        for index, (e, a) in enumerate(zip(expected, actual), 1):
            yield from differences(types, e, a, f"{where}/{local(e.tag)}[{index}]")


def main():
    contract, expected, actual = sys.argv[1:4]
    first = answer(expected)
    found = next(differences(leaf_types(contract), first, answer(actual), local(first.tag)), None)
    if found:
        print(f"{actual} does not answer as {expected}: {found}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
