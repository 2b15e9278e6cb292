import com.sun.xml.ws.api.message.Header;
import com.sun.xml.ws.api.message.Headers;
import com.sun.xml.ws.developer.WSBindingProvider;
import dev.soapstone.schema.catalog.v1.Product;
import dev.soapstone.wsdl.catalog.v1.CatalogService;
import dev.soapstone.wsdl.catalog.v1.CatalogServicePortType;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.activation.DataHandler;
import javax.activation.FileDataSource;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.soap.SOAPConstants;
import javax.xml.ws.Holder;
import javax.xml.ws.soap.AddressingFeature;
import javax.xml.ws.soap.MTOMFeature;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Uploads a product's image and downloads it again, as MTOM attachments:
 * java ProductImage SKU IMAGE COPY [1.1|1.2]
 */
public class ProductImage {
    public static void main(String[] args) throws Exception {
        String base = env("SOAPSTONE_URL", "http://127.0.0.1:8080");
        String username = env("SOAPSTONE_USERNAME", "admin");
        String password = env("SOAPSTONE_PASSWORD", "soapstone-admin");
        String sku = args[0];
        Path image = Path.of(args[1]);
        Path copy = Path.of(args[2]);
        boolean soap12 = args.length > 3 && args[3].equals("1.2");

        CatalogService service = new CatalogService(new URL(base + "/services/CatalogService?wsdl"));
        CatalogServicePortType catalog = port(service, soap12, username, password);

        Product product = catalog.getProduct(sku);
        System.out.println("GetProduct: sku=" + product.getSku() + " name=" + product.getName());

        // The media type travels in contentType; the attachment itself is the DataHandler.
        String contentType = URLConnection.guessContentTypeFromName(image.toString());
        Holder<String> stored = new Holder<>(sku);
        Holder<Long> bytes = new Holder<>();
        Holder<String> sha256 = new Holder<>();
        catalog.setProductImage(stored, contentType,
            new DataHandler(new FileDataSource(image.toFile())), bytes, sha256);
        System.out.println("SetProductImage: sku=" + stored.value + " bytes=" + bytes.value
            + " sha256=" + sha256.value);

        Holder<String> readType = new Holder<>();
        Holder<DataHandler> content = new Holder<>();
        catalog.getProductImage(sku, readType, content);
        try (InputStream in = content.value.getInputStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("GetProductImage: contentType=" + readType.value + " bytes=" + Files.size(copy));
    }

    /** WS-Addressing on and required of the replies, as in the quickstart. */
    static final AddressingFeature ADDRESSING = new AddressingFeature(true, true);
    /** MTOM on: binary content goes out as an XOP attachment, whatever the WSDL's policy says. */
    static final MTOMFeature MTOM = new MTOMFeature(true);

    /**
     * The port of one SOAP version, addressed and MTOM, sending a UsernameToken with every
     * request. The token is an outbound header of the RI (WSBindingProvider), not the
     * quickstart's SOAPHandler: a SOAPHandler turns the message into a SAAJ document, which the
     * RI then writes with the binary content inline, MTOM or not.
     */
    static CatalogServicePortType port(CatalogService service, boolean soap12, String username, String password)
            throws Exception {
        CatalogServicePortType port = soap12
            ? service.getCatalogServiceSoap12Port(ADDRESSING, MTOM)
            : service.getCatalogServiceSoap11Port(ADDRESSING, MTOM);
        ((WSBindingProvider) port).setOutboundHeaders(usernameToken(soap12, username, password));
        return port;
    }

    /** The handler's wsse:Security header (mustUnderstand, a PasswordText UsernameToken) as a header block. */
    static Header usernameToken(boolean soap12, String username, String password) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder().newDocument();
        String envelope = soap12 ? SOAPConstants.URI_NS_SOAP_1_2_ENVELOPE : SOAPConstants.URI_NS_SOAP_1_1_ENVELOPE;
        Element security = document.createElementNS(UsernameTokenHandler.WSSE, "wsse:Security");
        security.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:wsse", UsernameTokenHandler.WSSE);
        security.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:soap", envelope);
        security.setAttributeNS(envelope, "soap:mustUnderstand", soap12 ? "true" : "1");
        Element token = child(security, "UsernameToken");
        child(token, "Username").setTextContent(username);
        Element secret = child(token, "Password");
        secret.setAttribute("Type", UsernameTokenHandler.PASSWORD_TEXT);
        secret.setTextContent(password);
        return Headers.create(security);
    }

    static Element child(Element parent, String name) {
        Element child = parent.getOwnerDocument().createElementNS(UsernameTokenHandler.WSSE, "wsse:" + name);
        parent.appendChild(child);
        return child;
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
