"""MTOM/XOP from real Python clients: a 5 MB image sent as an XOP attachment and read back,
over SOAP 1.1 and 1.2 (each test that takes `soap` runs once per version).

The sender is zeep with the MTOM transport that docs/clients/zeep.md shows
(docs/clients/examples/zeep/mtom_transport.py, loaded from there): zeep makes the envelope
(WS-Addressing headers, the clerk's UsernameToken), the transport moves the image into a
binary part behind an xop:Include and posts the package with requests-toolbelt's
MultipartEncoder (multipart/related; type="application/xop+xml", start-info the SOAP media
type, SOAP 1.2's action on the package). zeep then calls GetProductImage as a plain request
whose Accept names multipart/related, and decodes the MTOM answer itself.

Everything goes through a loopback recording proxy (_recording_proxy.py), so the checks are
on the wire, not on what the clients say they did: the upload really was a package with the
image as its one attachment, both answers really were packages (the upload's because the
request was one, the download's because of its Accept), and each answer, after XOP
resolution, is valid against xsd/ (_xop.py). The bytes are compared by SHA-256 four ways:
those sent, the attachment on the wire, the `sha256` the server reported and what zeep
decoded from the answer's attachment.

The clerk (`clerk`, conftest.py) is a staff user, allowed to write the catalog; a customer's
upload is refused with AccessDeniedFault, answered as a package that zeep reads too.
run.sh runs this suite on SQLite and again on PostgreSQL, like the zeep suites.
"""

import hashlib
import importlib.util
import uuid

import pytest
from zeep import Client
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from _recording_proxy import RecordingProxy
from _xop import Package, media, random_png, response_envelope, validate
from conftest import REPO_ROOT, WSDL_NS, Credentials

CATALOG_NS = "http://soapstone.dev/schema/catalog/v1"
IMAGE = f"{{{CATALOG_NS}}}image"
ACTION = "http://soapstone.dev/catalog/"
IMAGE_BYTES = 5 * 1024 * 1024
TRANSPORT = REPO_ROOT / "docs" / "clients" / "examples" / "zeep" / "mtom_transport.py"


def load_transport():
    """The docs' mtom_transport module, imported from its file."""
    spec = importlib.util.spec_from_file_location("mtom_transport", TRANSPORT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MtomTransport = load_transport().MtomTransport


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def proxy(server):
    with RecordingProxy(server.base_url) as recording:
        yield recording


def mtom_catalog(soap, zeep_client, proxy, credentials):
    """CatalogService of this SOAP version through the proxy, sending images as MTOM and
    authenticating as `credentials` (UsernameToken, PasswordText)."""
    suffix = "Soap11Binding" if soap.version == "1.1" else "Soap12Binding"
    client = Client(
        zeep_client("CatalogService").wsdl,
        wsse=UsernameToken(credentials.username, credentials.password),
        transport=MtomTransport([IMAGE], cache=None),
    )
    return client.create_service(f"{{{WSDL_NS['CatalogService']}}}CatalogService{suffix}",
                                 f"{proxy.url}/services/CatalogService")


def new_product(soap) -> str:
    sku = f"IMG-{uuid.uuid4().hex[:16].upper()}"
    soap.service("CatalogService").CreateProduct(
        sku=sku, name=f"Product {sku}", unitPrice="9.99", currency="EUR", stock=1, tag=[]
    )
    return sku


def soap_media(soap) -> str:
    return "text/xml" if soap.version == "1.1" else "application/soap+xml"


def assert_action(soap, exchange, operation: str) -> None:
    """The request named its operation as its SOAP version does: SOAPAction (1.1), or the
    `action` parameter of the Content-Type (1.2), of the package when it is one."""
    sent = media(exchange.request_headers["content-type"])
    if soap.version == "1.1":
        assert exchange.request_headers["soapaction"] == f'"{ACTION}{operation}"'
    else:
        assert sent.get_param("action") == ACTION + operation


def test_a_5_mb_image_round_trips_as_mtom(soap, zeep_client, proxy, clerk):
    sku = new_product(soap)
    catalog = mtom_catalog(soap, zeep_client, proxy, clerk)
    image = random_png(IMAGE_BYTES)
    sent = sha256(image)

    stored = catalog.SetProductImage(sku=sku, contentType="image/png", image=image)
    assert (stored.sku, stored.bytes, stored.sha256) == (sku, len(image), sent)

    read = catalog.GetProductImage(sku=sku)
    assert read.contentType == "image/png"
    assert len(read.image) == len(image) and sha256(read.image) == sent

    upload, download = proxy.posts()

    package = Package.read(upload.request_headers["content-type"], upload.request_body)
    assert package.content_type.get_param("start-info") == soap_media(soap)
    assert package.root_type.get_content_type() == "application/xop+xml"
    assert package.root_type.get_param("type") == soap_media(soap)
    assert_action(soap, upload, "SetProductImage")
    [(element, part)] = package.includes()
    assert element == IMAGE
    assert sha256(package.attachments[part]) == sent

    assert media(download.request_headers["content-type"]).get_content_type() == soap_media(soap)
    assert "multipart/related" in download.request_headers["accept"]
    assert_action(soap, download, "GetProductImage")
    answer = Package.read(download.response_headers["content-type"], download.response_content)
    [(element, part)] = answer.includes()
    assert element == IMAGE
    assert sha256(answer.attachments[part]) == sent

    for exchange in (upload, download):
        assert exchange.status == 200
        reply = media(exchange.response_headers["content-type"])
        assert reply.get_content_type() == "multipart/related"
        assert reply.get_param("start-info") == soap_media(soap)
        validate(response_envelope(exchange.response_headers["content-type"],
                                   exchange.response_content))


def test_a_customer_upload_is_refused_in_a_package_zeep_reads(soap, zeep_client, proxy):
    sku = new_product(soap)
    username = f"cust-{uuid.uuid4().hex[:16]}"
    password = f"pw-{uuid.uuid4().hex}"
    soap.service("UserService").CreateUser(
        username=username, email=f"{username}@example.com", role=["customer"], password=password
    )
    catalog = mtom_catalog(soap, zeep_client, proxy, Credentials(username, password))

    with pytest.raises(Fault) as refused:
        catalog.SetProductImage(sku=sku, contentType="image/png", image=random_png(64 * 1024))
    assert refused.value.detail[0].tag == "{http://soapstone.dev/schema/common/v1}AccessDeniedFault"

    [upload] = proxy.posts()
    assert upload.status == 500
    assert media(upload.response_headers["content-type"]).get_content_type() == "multipart/related"
    validate(response_envelope(upload.response_headers["content-type"], upload.response_content))
