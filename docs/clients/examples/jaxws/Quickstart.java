import dev.soapstone.schema.users.v1.Role;
import dev.soapstone.schema.users.v1.User;
import dev.soapstone.wsdl.users.v1.UserNotFoundFault;
import dev.soapstone.wsdl.users.v1.UserService;
import dev.soapstone.wsdl.users.v1.UserServicePortType;
import java.net.URL;
import java.util.List;
import java.util.stream.Collectors;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPFault;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.soap.AddressingFeature;
import javax.xml.ws.soap.SOAPFaultException;

/** Calls UserService GetUser through the wsimport proxy: java Quickstart [1.1|1.2] */
public class Quickstart {
    public static void main(String[] args) throws Exception {
        String base = env("SOAPSTONE_URL", "http://127.0.0.1:8080");
        String username = env("SOAPSTONE_USERNAME", "admin");
        String password = env("SOAPSTONE_PASSWORD", "soapstone-admin");
        boolean soap12 = args.length > 0 && args[0].equals("1.2");

        // JAX-WS reads the WSDL again at start-up: from the server, not from the build machine.
        UserService service = new UserService(new URL(base + "/services/UserService?wsdl"));
        UserServicePortType users = port(service, soap12, username, password);

        User me = users.getUser(null, username);
        String roles = me.getRole().stream().map(Role::value).collect(Collectors.joining(","));
        System.out.println("GetUser: id=" + me.getId() + " username=" + me.getUsername() + " roles=" + roles);

        try {
            users.getUser(null, "nobody");
            throw new IllegalStateException("expected a UserNotFoundFault");
        } catch (UserNotFoundFault fault) {
            System.out.println("UserNotFoundFault: username=" + fault.getFaultInfo().getUsername()
                + " message=" + fault.getFaultInfo().getMessage());
        }

        UserServicePortType intruder = port(service, soap12, username, "not-the-password");
        try {
            intruder.getUser(null, username);
            throw new IllegalStateException("expected wsse:FailedAuthentication");
        } catch (SOAPFaultException fault) {
            System.out.println("wrong password: " + securityCode(fault.getFault(), soap12));
        }
    }

    /**
     * WS-Addressing on, and required of the replies too: the RI sends wsa:Action, To, MessageID
     * and ReplyTo, and refuses a reply (or fault) without the addressing headers.
     */
    static final AddressingFeature ADDRESSING = new AddressingFeature(true, true);

    /** The port of one SOAP version, addressed, sending a UsernameToken with every request. */
    static UserServicePortType port(UserService service, boolean soap12, String username, String password) {
        UserServicePortType port = soap12
            ? service.getUserServiceSoap12Port(ADDRESSING)
            : service.getUserServiceSoap11Port(ADDRESSING);
        BindingProvider provider = (BindingProvider) port;
        List<Handler> chain = provider.getBinding().getHandlerChain();
        chain.add(new UsernameTokenHandler(username, password));
        provider.getBinding().setHandlerChain(chain);
        return port;
    }

    /** The WS-Security code: SOAP 1.1's faultcode, or the Subcode under SOAP 1.2's env:Sender. */
    static QName securityCode(SOAPFault fault, boolean soap12) {
        return soap12 ? (QName) fault.getFaultSubcodes().next() : fault.getFaultCodeAsQName();
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
