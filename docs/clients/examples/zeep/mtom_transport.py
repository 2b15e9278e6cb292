"""A zeep transport that sends binary content as MTOM/XOP attachments and asks for MTOM answers.

zeep reads MTOM answers by itself but writes binary content only as inline base64. This
transport takes the envelope zeep made (WS-Security and WS-Addressing headers included),
moves the content of each element named in `optimize` (Clark names of xs:base64Binary
elements) into a binary part, puts an xop:Include in its place, and posts the package
(multipart/related; type="application/xop+xml") built with requests-toolbelt's
MultipartEncoder, which streams it. Every request also says it accepts multipart/related, so
the answer's binary content comes back as an attachment too.
"""

import base64
import uuid
from email.message import Message

from lxml import etree
from requests_toolbelt import MultipartEncoder
from zeep.transports import Transport
from zeep.wsdl.utils import etree_to_string

XOP_INCLUDE = "{http://www.w3.org/2004/08/xop/include}Include"
ACCEPT = "text/xml, application/soap+xml, multipart/related"


def media(value):
    """A Content-Type header value, to read its media type and (unquoted) parameters."""
    message = Message()
    message["Content-Type"] = value
    return message


class MtomTransport(Transport):
    """zeep's Transport, with the elements named in `optimize` sent as XOP attachments."""

    def __init__(self, optimize, **kwargs):
        super().__init__(**kwargs)
        self.optimize = list(optimize)

    def post_xml(self, address, envelope, headers):
        headers = {**headers, "Accept": ACCEPT}
        attachments = []
        elements = list(envelope.iter(*self.optimize)) if self.optimize else []
        for element in elements:
            content_id = f"{uuid.uuid4().hex}@zeep"
            attachments.append((content_id, base64.b64decode(element.text or "")))
            element.text = None
            etree.SubElement(element, XOP_INCLUDE, href=f"cid:{content_id}")
        if not attachments:
            return self.post(address, etree_to_string(envelope), headers)

        soap = media(headers["Content-Type"])  # text/xml, or application/soap+xml; action=...
        soap_type, action = soap.get_content_type(), soap.get_param("action")
        root_id = f"{uuid.uuid4().hex}@zeep"
        fields = [("root", (None, etree_to_string(envelope),
                            f'application/xop+xml; charset=utf-8; type="{soap_type}"',
                            {"Content-ID": f"<{root_id}>",
                             "Content-Transfer-Encoding": "binary"}))]
        for content_id, content in attachments:
            fields.append((content_id, (None, content, "application/octet-stream",
                                        {"Content-ID": f"<{content_id}>",
                                         "Content-Transfer-Encoding": "binary"})))
        package = MultipartEncoder(fields=fields)
        content_type = (f'multipart/related; type="application/xop+xml"; '
                        f'boundary="{package.boundary_value}"; start="<{root_id}>"; '
                        f'start-info="{soap_type}"')
        if action:  # SOAP 1.2: the action goes on the package
            content_type += f'; action="{action}"'
        return self.post(address, package, {**headers, "Content-Type": content_type})
