"""Replays a SoapUI 5.x project file against a live server, the way SoapUI's testrunner would.

    python tests/soapui/replay.py PROJECT.xml [--set NAME=VALUE ...]

Every TestCase of every TestSuite runs in order, its steps in order:
- `request` steps: the request is property-expanded, gets the outgoing WS-Security
  configuration its `outgoingWss` names (a UsernameToken entry: PasswordText, Nonce and Created
  as configured), is posted to its endpoint with its operation's SOAPAction, and every assertion
  on it is evaluated: SOAP Response, Not SOAP Fault, SOAP Fault, XPath Match, Simple Contains and
  Schema Compliance (the SOAP envelope schema of tests/schemas plus the schemas of the
  interface's WSDL, fetched from its definition URL, for the operation's output or fault
  elements);
- `transfer` steps: each transfer reads an XPath of a step's Response and sets a #TestCase#,
  #TestSuite# or #Project# property.
Property expansion covers ${#Project#p}, ${#TestSuite#p}, ${#TestCase#p}, ${Step#Response} and
${Step#Response#xpath}, and ${=System.currentTimeMillis()}. A failed step ends its TestCase when
the TestCase has failOnError="true" (SoapUI's default). Anything else the project uses (another
step type, assertion type, expansion, WS-Security entry or password type, a disabled item) is a
ReplayError: never silently skipped. `--set` overrides project properties (e.g. the endpoint).
Prints one line per assertion and per TestCase; exits 1 if any TestCase failed.
"""

import argparse
import base64
import re
import secrets
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from lxml import etree

CON = "http://eviware.com/soapui/config"
N = {"con": CON}
SOAP_ENV = {
    "1_1": "http://schemas.xmlsoap.org/soap/envelope/",
    "1_2": "http://www.w3.org/2003/05/soap-envelope",
}
ENVELOPE_XSD = {
    "1_1": Path(__file__).resolve().parents[1] / "schemas" / "soap11-envelope.xsd",
    "1_2": Path(__file__).resolve().parents[1] / "schemas" / "soap12-envelope.xsd",
}
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XSD = "http://www.w3.org/2001/XMLSchema"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
BASE64_BINARY = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
HTTP_TIMEOUT_S = 30

_EXPANSION = re.compile(r"\$\{([^{}]*)\}")
_DECLARE = re.compile(r"""declare\s+namespace\s+([\w.-]+)\s*=\s*(['"])(.*?)\2\s*;""")


class ReplayError(Exception):
    """The project uses something this replay does not implement, or refers to something
    that does not exist: the replay stops rather than skip it."""


class AssertionFailed(Exception):
    """An assertion did not hold; the message says why."""


def _text(el: Optional[etree._Element]) -> str:
    return "" if el is None or el.text is None else el.text


def _child(el: etree._Element, name: str) -> Optional[etree._Element]:
    return el.find(f"con:{name}", N)


def _disabled(el: etree._Element) -> None:
    if el.get("disabled") == "true":
        raise ReplayError(f"disabled {etree.QName(el).localname} {el.get('name')!r}: not supported")


def split_xpath(expression: str) -> tuple:
    """SoapUI's `declare namespace p='uri';` prolog and the XPath after it."""
    namespaces = {m.group(1): m.group(3) for m in _DECLARE.finditer(expression)}
    return namespaces, _DECLARE.sub("", expression).strip()


def _node_value(node) -> str:
    if isinstance(node, etree._Element):
        # SoapUI compares an element's own text (XmlUtils.getElementText).
        return "".join(t for t in node.xpath("text()"))
    return str(node)


def xpath_values(document: etree._Element, expression: str) -> list:
    """The values an XPath (with its declare-namespace prolog) selects, as SoapUI compares
    them: element text, attribute or text values, numbers without a needless .0, booleans as
    true/false."""
    namespaces, path = split_xpath(expression)
    try:
        result = document.xpath(path, namespaces=namespaces)
    except etree.XPathError as e:
        raise AssertionFailed(f"invalid XPath [{path}]: {e}") from e
    if isinstance(result, bool):
        return ["true" if result else "false"]
    if isinstance(result, float):
        return [str(int(result)) if result.is_integer() else str(result)]
    if isinstance(result, str):
        return [result]
    return [_node_value(n) for n in result]


def parse_xml(text: str) -> etree._Element:
    try:
        return etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as e:
        raise AssertionFailed(f"the response is not XML: {e}") from e


# --- the result of a run -----------------------------------------------------------------


@dataclass
class AssertionResult:
    step: str
    name: str
    kind: str
    message: Optional[str]  # None: it held

    @property
    def ok(self) -> bool:
        return self.message is None


@dataclass
class StepRun:
    name: str
    request: str = ""
    response: str = ""
    status: int = 0
    assertions: list = field(default_factory=list)
    error: Optional[str] = None  # a transfer or HTTP failure

    @property
    def ok(self) -> bool:
        return self.error is None and all(a.ok for a in self.assertions)


@dataclass
class CaseRun:
    suite: str
    name: str
    steps: list = field(default_factory=list)
    not_run: list = field(default_factory=list)  # steps after the one that ended the case

    @property
    def ok(self) -> bool:
        return not self.not_run and all(s.ok for s in self.steps)

    def failures(self) -> list:
        out = [f"{s.name}: {s.error}" for s in self.steps if s.error]
        out += [f"{a.step}: {a.name} ({a.kind}): {a.message}"
                for s in self.steps for a in s.assertions if not a.ok]
        out += [f"{name}: not run" for name in self.not_run]
        return out


# --- the WSDL's schemas (Schema Compliance) ----------------------------------------------------


class _HttpResolver(etree.Resolver):
    """Fetches the schemas a served WSDL imports by their absolute URLs."""

    def resolve(self, url, pubid, context):
        if url.startswith(("http://", "https://")):
            with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as r:
                return self.resolve_string(r.read(), context, base_url=url)
        return None


@dataclass
class Contract:
    """One WSDL for one SOAP version: the schema of its types and of that version's envelope,
    and per binding operation its output and fault element names."""

    schema: etree.XMLSchema
    outputs: dict  # (binding QName text, operation) -> output element QName text
    faults: dict  # (binding QName text, operation) -> set of fault element QName texts


def _message_elements(wsdl: etree._Element, tns: str, message_ref: str) -> list:
    prefix, _, local = message_ref.rpartition(":")
    ns = wsdl.nsmap.get(prefix or None, tns)
    if ns != tns:
        raise ReplayError(f"message {message_ref} is not in the WSDL's target namespace")
    out = []
    for part in wsdl.xpath("wsdl:message[@name=$n]/wsdl:part", n=local, namespaces={"wsdl": WSDL}):
        ref = part.get("element")
        if ref is None:
            raise ReplayError(f"part of {message_ref} has no element (rpc style is not supported)")
        p, _, name = ref.rpartition(":")
        out.append(f"{{{part.nsmap[p or None]}}}{name}")
    return out


def load_contract(url: str, soap_version: str) -> Contract:
    parser = etree.XMLParser(resolve_entities=False)
    parser.resolvers.add(_HttpResolver())
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as r:
        wsdl = etree.fromstring(r.read(), parser, base_url=url)
    q = {"wsdl": WSDL, "xsd": XSD}
    schemas = wsdl.xpath("wsdl:types/xsd:schema", namespaces=q)
    if len(schemas) != 1:
        raise ReplayError(f"{url}: {len(schemas)} schemas in wsdl:types; one is supported")
    schema_doc = etree.fromstring(etree.tostring(schemas[0]), parser, base_url=url)
    # The whole envelope validates against the WSDL's schema plus the SOAP envelope schema
    # (whose Body and detail wildcards are strict: every entry must be declared).
    envelope_import = etree.Element(f"{{{XSD}}}import", namespace=SOAP_ENV[soap_version],
                                    schemaLocation=ENVELOPE_XSD[soap_version].as_uri())
    schema_doc.insert(0, envelope_import)
    schema = etree.XMLSchema(schema_doc)
    tns = wsdl.get("targetNamespace")
    outputs, faults = {}, {}
    for binding in wsdl.xpath("wsdl:binding", namespaces=q):
        bq = f"{{{tns}}}{binding.get('name')}"
        port_type = binding.get("type").rpartition(":")[2]
        for op in binding.xpath("wsdl:operation/@name", namespaces=q):
            pt_op = wsdl.xpath("wsdl:portType[@name=$p]/wsdl:operation[@name=$o]",
                               p=port_type, o=op, namespaces=q)[0]
            output = pt_op.find(f"{{{WSDL}}}output").get("message")
            outputs[(bq, op)] = _message_elements(wsdl, tns, output)[0]
            faults[(bq, op)] = {e for f in pt_op.findall(f"{{{WSDL}}}fault")
                                for e in _message_elements(wsdl, tns, f.get("message"))}
    return Contract(schema, outputs, faults)


# --- assertions ----------------------------------------------------------------------------


@dataclass
class Exchange:
    """What an assertion looks at: the response and where it came from."""

    response: str
    soap_version: str  # "1_1" or "1_2"
    binding: str  # QName text of the interface's binding
    operation: str
    definition: str  # the expanded WSDL URL
    contracts: dict  # (definition URL, SOAP version) -> Contract, shared by the whole run
    expand: Callable[[str], str]


def _envelope(x: Exchange) -> etree._Element:
    root = parse_xml(x.response)
    ns = SOAP_ENV[x.soap_version]
    if root.tag != f"{{{ns}}}Envelope":
        raise AssertionFailed(
            f"the response's root is {root.tag}, not a SOAP {x.soap_version} Envelope")
    return root


def _body(x: Exchange) -> etree._Element:
    body = _envelope(x).find(f"{{{SOAP_ENV[x.soap_version]}}}Body")
    if body is None:
        raise AssertionFailed("the Envelope has no Body")
    return body


def _fault(x: Exchange) -> Optional[etree._Element]:
    return _body(x).find(f"{{{SOAP_ENV[x.soap_version]}}}Fault")


def assert_soap_response(config, x: Exchange) -> None:
    ns = SOAP_ENV[x.soap_version]
    children = [c.tag for c in _envelope(x) if isinstance(c.tag, str)]
    if children not in ([f"{{{ns}}}Body"], [f"{{{ns}}}Header", f"{{{ns}}}Body"]):
        raise AssertionFailed(f"the Envelope holds {children}, not an optional Header and a Body")


def assert_not_soap_fault(config, x: Exchange) -> None:
    fault = _fault(x)
    if fault is not None:
        text = etree.tostring(fault, encoding="unicode")
        raise AssertionFailed(f"the response is a SOAP Fault: {text[:300]}")


def assert_soap_fault(config, x: Exchange) -> None:
    if _fault(x) is None:
        raise AssertionFailed("the response is not a SOAP Fault")


def _config(config: Optional[etree._Element], name: str,
            default: Optional[str] = None) -> Optional[str]:
    el = None if config is None else config.find(name)
    return default if el is None else (el.text or "")


def assert_xpath_match(config, x: Exchange) -> None:
    path = x.expand(_config(config, "path", ""))
    expected = x.expand(_config(config, "content", ""))
    wildcards = _config(config, "allowWildcards", "false") == "true"
    if expected.lstrip().startswith("<"):
        raise ReplayError("XPath Match against XML content is not supported")
    values = xpath_values(parse_xml(x.response), path)
    if not values:
        raise AssertionFailed(f"missing content for xpath [{split_xpath(path)[1]}]")
    pattern = "".join(".*" if part == "*" else re.escape(part)
                      for part in re.split(r"(\*)", expected))
    for value in values:
        if value == expected or (wildcards and re.fullmatch(pattern, value, re.S)):
            return
    raise AssertionFailed(f"xpath [{split_xpath(path)[1]}]: expected [{expected}], actual {values}")


def assert_simple_contains(config, x: Exchange) -> None:
    token = x.expand(_config(config, "token", ""))
    ignore_case = _config(config, "ignoreCase", "false") == "true"
    regex = _config(config, "useRegEx", "false") == "true"
    if not token:
        raise ReplayError("Simple Contains with an empty token")
    if regex:
        found = re.search(token, x.response, re.S | (re.I if ignore_case else 0)) is not None
    elif ignore_case:
        found = token.lower() in x.response.lower()
    else:
        found = token in x.response
    if not found:
        raise AssertionFailed(f"missing token [{token}] in the response")


def assert_schema_compliance(config, x: Exchange) -> None:
    definition = x.expand(_config(config, "definition", "") or x.definition)
    if (definition, x.soap_version) not in x.contracts:
        x.contracts[(definition, x.soap_version)] = load_contract(definition, x.soap_version)
    contract = x.contracts[(definition, x.soap_version)]
    envelope = _envelope(x)
    if not contract.schema.validate(envelope):
        error = contract.schema.error_log.last_error
        raise AssertionFailed(f"the response does not validate: {error}")
    key = (x.binding, x.operation)
    if key not in contract.outputs:
        raise ReplayError(f"{definition} has no operation {x.operation} in binding {x.binding}")
    fault = _fault(x)
    if fault is None:
        payload = [c for c in _body(x) if isinstance(c.tag, str)]
        allowed = {contract.outputs[key]}
    else:
        detail = fault.find("detail") if x.soap_version == "1_1" else fault.find(
            f"{{{SOAP_ENV['1_2']}}}Detail")
        payload = [] if detail is None else [c for c in detail if isinstance(c.tag, str)]
        allowed = contract.faults[key]
    for element in payload:
        if element.tag not in allowed:
            what = "fault" if fault is not None else "output"
            raise AssertionFailed(
                f"{element.tag} is not a declared {what} of {x.operation}: {sorted(allowed)}")
    if fault is None and not payload:
        raise AssertionFailed(f"the Body is empty; {x.operation} returns {contract.outputs[key]}")


ASSERTIONS = {
    "SOAP Response": assert_soap_response,
    "Not SOAP Fault Assertion": assert_not_soap_fault,
    "SOAP Fault Assertion": assert_soap_fault,
    "XPath Match": assert_xpath_match,
    "Simple Contains": assert_simple_contains,
    "Schema Compliance": assert_schema_compliance,
}


# --- the replay ------------------------------------------------------------------------------


def _properties(el: Optional[etree._Element]) -> dict:
    if el is None:
        return {}
    return {_text(p.find("con:name", N)): _text(p.find("con:value", N))
            for p in el.findall("con:properties/con:property", N)}


class Replay:
    """One run of a project: its properties, the steps that ran, the WSDL cache."""

    def __init__(self, project: etree._Element, overrides: Optional[dict] = None):
        if project.tag != f"{{{CON}}}soapui-project":
            raise ReplayError(f"not a SoapUI project: {project.tag}")
        self.project = project
        self.scopes = {"#Project#": {**_properties(project), **(overrides or {})}}
        self.contracts: dict = {}
        self.steps: dict = {}

    # property expansion

    def expand(self, text: str, depth: int = 0) -> str:
        if depth > 8:
            raise ReplayError(f"property expansion nested too deep in {text!r}")
        return _EXPANSION.sub(lambda m: self._expansion(m.group(1), depth), text)

    def _expansion(self, expr: str, depth: int) -> str:
        if expr.startswith("="):
            if expr[1:].strip() == "System.currentTimeMillis()":
                return str(time.time_ns() // 1_000_000)
            raise ReplayError(f"unsupported script expansion ${{{expr}}}")
        if expr.startswith("#"):
            scope, _, name = expr[1:].partition("#")
            props = self.scopes.get(f"#{scope}#")
            if props is None or name not in props:
                raise ReplayError(f"no property {name!r} in #{scope}# for ${{{expr}}}")
            return self.expand(props[name], depth + 1)
        step, _, rest = expr.partition("#")
        prop, _, path = rest.partition("#")
        if step not in self.steps:
            raise ReplayError(f"${{{expr}}}: step {step!r} has not run")
        run = self.steps[step]
        value = {"Response": run.response, "Request": run.request}.get(prop)
        if value is None:
            raise ReplayError(f"${{{expr}}}: unsupported step property {prop!r}")
        if not path:
            return value
        values = xpath_values(parse_xml(value), self.expand(path, depth + 1))
        if not values:
            raise ReplayError(f"${{{expr}}}: the XPath selects nothing")
        return values[0]

    # the project

    def run(self) -> list:
        cases = []
        for suite in self.project.findall("con:testSuite", N):
            _disabled(suite)
            self.scopes["#TestSuite#"] = _properties(suite)
            for case in suite.findall("con:testCase", N):
                _disabled(case)
                cases.append(self.run_case(suite.get("name"), case))
        return cases

    def run_case(self, suite: str, case: etree._Element) -> CaseRun:
        self.scopes["#TestCase#"] = _properties(case)
        self.steps = {}
        result = CaseRun(suite, case.get("name"))
        stop_on_failure = case.get("failOnError", "true") == "true"
        steps = case.findall("con:testStep", N)
        for i, step in enumerate(steps):
            _disabled(step)
            kind = step.get("type")
            if kind == "request":
                run = self.request_step(step)
            elif kind == "transfer":
                run = self.transfer_step(step)
            else:
                raise ReplayError(f"step {step.get('name')!r}: unsupported step type {kind!r}")
            self.steps[run.name] = run
            result.steps.append(run)
            if not run.ok and stop_on_failure:
                result.not_run = [s.get("name") for s in steps[i + 1:]]
                break
        return result

    def _interface(self, name: str) -> etree._Element:
        found = self.project.xpath("con:interface[@name=$n]", n=name, namespaces=N)
        if not found:
            raise ReplayError(f"no interface {name!r}")
        iface = found[0]
        if iface.get("type", "wsdl") != "wsdl":
            raise ReplayError(f"interface {name!r}: only WSDL interfaces are supported")
        return iface

    def request_step(self, step: etree._Element) -> StepRun:
        config = _child(step, "config")
        iface = self._interface(_text(_child(config, "interface")))
        op_name = _text(_child(config, "operation"))
        ops = iface.xpath("con:operation[@name=$n]", n=op_name, namespaces=N)
        if not ops:
            raise ReplayError(f"step {step.get('name')!r}: no operation {op_name!r}")
        request = _child(config, "request")
        version = iface.get("soapVersion", "1_1")
        if version not in SOAP_ENV:
            raise ReplayError(f"unsupported soapVersion {version!r}")
        run = StepRun(step.get("name"))
        body = self.expand(_text(_child(request, "request")))
        wss = request.get("outgoingWss", "")
        if wss:
            body = self.secure(body, wss, version)
        run.request = body
        endpoint = self.expand(_text(_child(request, "endpoint")))
        action = ops[0].get("action", "")
        run.status, run.response = post(endpoint, body, version, action)
        exchange = Exchange(run.response, version, iface.get("bindingName"), op_name,
                            self.expand(iface.get("definition", "")), self.contracts, self.expand)
        for a in request.findall("con:assertion", N):
            _disabled(a)
            kind = a.get("type")
            check = ASSERTIONS.get(kind)
            if check is None:
                raise ReplayError(f"step {run.name!r}: unsupported assertion type {kind!r}")
            try:
                check(_child(a, "configuration"), exchange)
                message = None
            except AssertionFailed as e:
                message = str(e)
            run.assertions.append(AssertionResult(run.name, a.get("name") or kind, kind, message))
        return run

    def secure(self, envelope: str, wss_name: str, version: str) -> str:
        """Adds the outgoing WS-Security configuration `wss_name` to the request's Header."""
        found = self.project.xpath("con:wssContainer/con:outgoing[con:name=$n]", n=wss_name,
                                   namespaces=N)
        if not found:
            raise ReplayError(f"no outgoing WS-Security configuration {wss_name!r}")
        outgoing = found[0]
        doc = etree.fromstring(envelope.encode("utf-8"))
        env_ns = SOAP_ENV[version]
        header = doc.find(f"{{{env_ns}}}Header")
        if header is None:
            header = etree.Element(f"{{{env_ns}}}Header")
            doc.insert(0, header)
        security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
        if outgoing.get("mustUnderstand") == "true":
            security.set(f"{{{env_ns}}}mustUnderstand", "1" if version == "1_1" else "true")
        entries = outgoing.findall("con:entry", N)
        if not entries:
            raise ReplayError(f"outgoing WS-Security {wss_name!r} has no entry")
        for entry in entries:
            if entry.get("type") != "Username":
                raise ReplayError(f"unsupported WS-Security entry type {entry.get('type')!r}")
            cfg = _child(entry, "configuration")
            password_type = _config(cfg, "passwordType", "PasswordDigest")
            if password_type != "PasswordText":
                raise ReplayError(f"unsupported WS-Security password type {password_type!r}")
            token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
            token.set(f"{{{WSU}}}Id", f"UsernameToken-{secrets.token_hex(8)}")
            username = etree.SubElement(token, f"{{{WSSE}}}Username")
            username.text = self.expand(entry.get("username", ""))
            password = etree.SubElement(token, f"{{{WSSE}}}Password", Type=PASSWORD_TEXT)
            password.text = self.expand(entry.get("password", ""))
            if _config(cfg, "addNonce", "true") == "true":
                nonce = etree.SubElement(token, f"{{{WSSE}}}Nonce", EncodingType=BASE64_BINARY)
                nonce.text = base64.b64encode(secrets.token_bytes(16)).decode()
            if _config(cfg, "addCreated", "true") == "true":
                created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
                etree.SubElement(token, f"{{{WSU}}}Created").text = created
        return etree.tostring(doc, encoding="unicode")

    def transfer_step(self, step: etree._Element) -> StepRun:
        run = StepRun(step.get("name"))
        for t in _child(step, "config").findall("con:transfers", N):
            _disabled(t)
            name = _text(t.find("con:name", N))
            try:
                self.transfer(t)
            except AssertionFailed as e:
                run.error = f"transfer {name!r}: {e}"
                break
        return run

    def transfer(self, t: etree._Element) -> None:
        def get(tag):
            return _text(t.find(f"con:{tag}", N))

        if get("targetPath").strip():
            raise ReplayError(f"transfer {get('name')!r}: a target path is not supported")
        if t.get("transferTextContent", "true") != "true":
            raise ReplayError(
                f"transfer {get('name')!r}: only text content transfers are supported")
        source_step, source_type = get("sourceStep"), get("sourceType")
        if source_step not in self.steps:
            raise ReplayError(f"transfer {get('name')!r}: source step {source_step!r} has not run")
        if source_type != "Response":
            raise ReplayError(f"transfer {get('name')!r}: unsupported source {source_type!r}")
        source = parse_xml(self.steps[source_step].response)
        values = xpath_values(source, self.expand(get("sourcePath")))
        if not values:
            path = split_xpath(get("sourcePath"))[1]
            raise AssertionFailed(f"missing match for source XPath [{path}]")
        target = self.scopes.get(get("targetStep"))
        if target is None:
            raise ReplayError(f"transfer {get('name')!r}: unsupported target {get('targetStep')!r}")
        target[get("targetType")] = values[0]


def post(url: str, body: str, version: str, action: str) -> tuple:
    """POSTs a SOAP request; returns (HTTP status, response text), faults (HTTP 500) included."""
    if version == "1_1":
        headers = {"Content-Type": "text/xml;charset=UTF-8", "SOAPAction": f'"{action}"'}
    else:
        headers = {"Content-Type": f'application/soap+xml;charset=UTF-8;action="{action}"'}
    req = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def load(path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()


def report(cases: list, out=sys.stdout) -> int:
    """Prints one line per assertion, transfer failure and TestCase; returns the failed count."""
    failed = 0
    for case in cases:
        for step in case.steps:
            if step.error:
                print(f"FAIL {case.suite} / {case.name} / {step.name}: {step.error}", file=out)
            for a in step.assertions:
                verdict = "ok  " if a.ok else "FAIL"
                print(f"{verdict} {case.suite} / {case.name} / {step.name} / {a.name}"
                      + ("" if a.ok else f": {a.message}"), file=out)
        for name in case.not_run:
            print(f"FAIL {case.suite} / {case.name} / {name}: not run", file=out)
        print(f"{'PASS' if case.ok else 'FAIL'} TestCase {case.suite} / {case.name}", file=out)
        failed += not case.ok
    print(f"{len(cases) - failed} passed, {failed} failed", file=out)
    return failed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a project property, e.g. endpoint=http://127.0.0.1:8080")
    args = parser.parse_args(argv)
    overrides = dict(kv.split("=", 1) for kv in args.set)
    return 1 if report(Replay(load(args.project), overrides).run()) else 0


if __name__ == "__main__":
    sys.exit(main())
