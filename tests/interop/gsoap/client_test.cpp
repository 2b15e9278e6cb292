// A gSOAP 2.8 client of Soapstone: the proxies wsdl2h and soapcpp2 generate from the served
// ?wsdl (build.sh), with the gSOAP wsse plugin's UsernameToken on every call. It calls one
// operation of each service, checks what comes back and reads typed faults.
//
//   client_test BASE_URL 1.1|1.2
//
// Who to authenticate as comes from the environment: SOAPSTONE_USERNAME, SOAPSTONE_PASSWORD and
// SOAPSTONE_DIGEST_SECRET (the PasswordDigest secret). It prints "ok - ..." or "FAIL - ..." per
// check, then "N passed, M failed", and exits 1 when a check failed.

#include "soapAuthServiceSoap11BindingProxy.h"
#include "soapAuthServiceSoap12BindingProxy.h"
#include "soapCatalogServiceSoap11BindingProxy.h"
#include "soapCatalogServiceSoap12BindingProxy.h"
#include "soapOrderServiceSoap11BindingProxy.h"
#include "soapOrderServiceSoap12BindingProxy.h"
#include "soapUserServiceSoap11BindingProxy.h"
#include "soapUserServiceSoap12BindingProxy.h"
#include "wsseapi.h"

// The namespace table; soapcpp2 writes the same one into every <binding>.nsmap.
#include "UserServiceSoap11Binding.nsmap"

#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

struct Credentials {
    const char *username;
    const char *password;
    const char *digest_secret;
};

// The four services over one SOAP version: the proxies of that version's bindings, sharing one
// gSOAP context (its namespace table, its wsse plugin, its Security header).
template <class Users, class Catalog, class Orders, class Auth> struct Services {
    struct soap *soap;
    std::string users_url, catalog_url, orders_url, auth_url; // a proxy keeps only the pointer
    Users users;
    Catalog catalog;
    Orders orders;
    Auth auth;

    Services(struct soap *context, const std::string &base)
        : soap(context), users_url(base + "/services/UserService"),
          catalog_url(base + "/services/CatalogService"),
          orders_url(base + "/services/OrderService"), auth_url(base + "/services/AuthService"),
          users(context, users_url.c_str()), catalog(context, catalog_url.c_str()),
          orders(context, orders_url.c_str()), auth(context, auth_url.c_str()) {}
};

using Soap11 = Services<UserServiceSoap11BindingProxy, CatalogServiceSoap11BindingProxy,
                        OrderServiceSoap11BindingProxy, AuthServiceSoap11BindingProxy>;
using Soap12 = Services<UserServiceSoap12BindingProxy, CatalogServiceSoap12BindingProxy,
                        OrderServiceSoap12BindingProxy, AuthServiceSoap12BindingProxy>;

// gSOAP takes the SOAP version of a request from the namespace table, not from the proxy
// class: the generated table names SOAP 1.2 first (wsdl2h imports soap12.h for the SOAP 1.2
// bindings), so a SOAP 1.1 proxy gets a copy that names the SOAP 1.1 envelope first (and still
// accepts SOAP 1.2 replies).
static std::vector<Namespace> soap11_namespaces() {
    std::vector<Namespace> table;
    for (const Namespace *entry = namespaces; entry->id != NULL; ++entry)
        table.push_back(*entry);
    table.push_back(Namespace{NULL, NULL, NULL, NULL});
    table[0].ns = "http://schemas.xmlsoap.org/soap/envelope/"; // SOAP-ENV
    table[0].in = "http://www.w3.org/2003/05/soap-envelope";
    table[1].ns = "http://schemas.xmlsoap.org/soap/encoding/"; // SOAP-ENC
    table[1].in = "http://www.w3.org/2003/05/soap-encoding";
    return table;
}

// Every call carries a fresh wsse:Security header: the reply replaces the context's header.
static void use_password(struct soap *soap, const Credentials &who) {
    soap_wsse_delete_Security(soap);
    soap_wsse_add_UsernameTokenText(soap, NULL, who.username, who.password);
}

static void use_digest(struct soap *soap, const Credentials &who) {
    soap_wsse_delete_Security(soap);
    soap_wsse_add_UsernameTokenDigest(soap, NULL, who.username, who.digest_secret);
}

// The fault's code: the faultcode in SOAP 1.1; in SOAP 1.2 its Subcode, else its Code.
static std::string fault_code(struct soap *soap) {
    const char *code = soap->version == 2 ? soap_fault_subcode(soap) : NULL;
    if (code == NULL)
        code = *soap_faultcode(soap);
    return code != NULL ? code : "";
}

// The typed detail of the fault just received (Detail in SOAP 1.2, detail in SOAP 1.1).
static const SOAP_ENV__Detail *fault_detail(struct soap *soap) {
    if (soap->fault == NULL)
        return NULL;
    return soap->version == 2 ? soap->fault->SOAP_ENV__Detail : soap->fault->detail;
}

// --- checks ------------------------------------------------------------------------------------

static int passed = 0;
static int failed = 0;

static void check(bool ok, const std::string &what, const std::string &why = "") {
    std::cout << (ok ? "ok - " : "FAIL - ") << what << (ok || why.empty() ? "" : ": " + why)
              << "\n";
    ++(ok ? passed : failed);
}

// gSOAP's description of the last error, on one line.
static std::string error_text(struct soap *soap) {
    std::ostringstream text;
    soap_stream_fault(soap, text);
    std::string line = text.str();
    for (char &c : line)
        if (c == '\n')
            c = ' ';
    return line;
}

// A call that must succeed: records a FAIL with gSOAP's error when it did not.
static bool succeeded(struct soap *soap, int status, const std::string &what) {
    if (status != SOAP_OK)
        check(false, what, error_text(soap));
    return status == SOAP_OK;
}

static std::string random_suffix() {
    std::random_device device;
    std::ostringstream hex;
    hex << std::hex << device() << device();
    return hex.str().substr(0, 10);
}

template <class S> static void run(S &s, const Credentials &admin, const std::string &tag) {
    const std::string suffix = random_suffix();

    // AuthService WhoAmI, with PasswordText and with PasswordDigest.
    _sec__WhoAmI who_am_i;
    _sec__WhoAmIResponse me;
    use_password(s.soap, admin);
    if (succeeded(s.soap, s.auth.WhoAmI(&who_am_i, me), tag + " WhoAmI (PasswordText)"))
        check(me.userId == 1 && me.username == admin.username && me.role.size() == 1 &&
                  me.role[0] == sec__Role__admin &&
                  me.authentication == sec__AuthenticationMethod__password,
              tag + " WhoAmI (PasswordText): the admin, authenticated by password");
    use_digest(s.soap, admin);
    if (succeeded(s.soap, s.auth.WhoAmI(&who_am_i, me), tag + " WhoAmI (PasswordDigest)"))
        check(me.userId == 1 && me.authentication == sec__AuthenticationMethod__digest,
              tag + " WhoAmI (PasswordDigest): the admin, authenticated by digest");

    // UserService CreateUser and GetUser.
    _user__CreateUser create_user;
    _user__CreateUserResponse created_user;
    std::string display_name = "Zoë & <Söhne>";
    create_user.username = "gsoap-" + suffix;
    create_user.email = create_user.username + "@example.com";
    create_user.displayName = &display_name;
    create_user.role.push_back(user__Role__customer);
    use_password(s.soap, admin);
    if (!succeeded(s.soap, s.users.CreateUser(&create_user, created_user),
                   tag + " CreateUser"))
        return;
    const user__User &customer = *created_user.user;
    check(customer.id > 1 && customer.username == create_user.username &&
              customer.email == create_user.email && customer.displayName != NULL &&
              *customer.displayName == display_name && customer.role.size() == 1 &&
              customer.role[0] == user__Role__customer &&
              customer.status == user__UserStatus__active &&
              customer.createdAt == customer.updatedAt,
          tag + " CreateUser: the user as sent, active");

    _user__GetUser get_user;
    _user__GetUserResponse got_user;
    get_user.__union_GetUser = SOAP_UNION__user__union_GetUser_id;
    get_user.union_GetUser.id = customer.id;
    use_password(s.soap, admin);
    if (succeeded(s.soap, s.users.GetUser(&get_user, got_user), tag + " GetUser"))
        check(got_user.user->id == customer.id && got_user.user->username == customer.username &&
                  got_user.user->createdAt == customer.createdAt,
              tag + " GetUser: the user just created");

    // A typed fault: UserNotFoundFault with its detail.
    get_user.union_GetUser.id = 999999999;
    use_password(s.soap, admin);
    if (s.users.GetUser(&get_user, got_user) != SOAP_FAULT) {
        check(false, tag + " GetUser of an unknown id", "no fault");
    } else {
        const SOAP_ENV__Detail *detail = fault_detail(s.soap);
        const _common__UserNotFoundFault *fault =
            detail != NULL ? detail->common__UserNotFoundFault : NULL;
        std::string code = fault_code(s.soap);
        check(fault != NULL && fault->id != NULL && *fault->id == 999999999 &&
                  code == (tag == "SOAP 1.1" ? "SOAP-ENV:Client" : "SOAP-ENV:Sender"),
              tag + " GetUser of an unknown id: UserNotFoundFault with the id",
              code + " " + error_text(s.soap));
    }

    // CatalogService CreateProduct and GetProduct: exact decimals, tags.
    _catalog__CreateProduct create_product;
    _catalog__CreateProductResponse created_product;
    create_product.sku = "GSOAP-" + suffix;
    create_product.name = "Widget ö";
    create_product.unitPrice = "19.99";
    create_product.currency = "EUR";
    create_product.stock = 10;
    create_product.tag.push_back("blue");
    create_product.tag.push_back("red");
    use_password(s.soap, admin);
    if (!succeeded(s.soap, s.catalog.CreateProduct(&create_product, created_product),
                   tag + " CreateProduct"))
        return;
    const catalog__Product &product = *created_product.product;
    check(product.sku == create_product.sku && product.name == create_product.name &&
              product.unitPrice == "19.99" && product.currency == "EUR" && product.stock == 10 &&
              product.tag == create_product.tag && product.description == NULL &&
              product.status == catalog__ProductStatus__active,
          tag + " CreateProduct: the product as sent, active");

    _catalog__GetProduct get_product;
    _catalog__GetProductResponse got_product;
    get_product.sku = product.sku;
    use_password(s.soap, admin);
    if (succeeded(s.soap, s.catalog.GetProduct(&get_product, got_product),
                  tag + " GetProduct"))
        check(got_product.product->sku == product.sku &&
                  got_product.product->unitPrice == "19.99" && got_product.product->stock == 10,
              tag + " GetProduct: the product just created");

    // OrderService PlaceOrder and GetOrder: totals computed by the server.
    order__OrderLineRequest line;
    line.sku = product.sku;
    line.quantity = 2;
    order__Address address;
    address.name = "Jörg Öztürk";
    address.street = "12 Königsallee";
    address.city = "Düsseldorf";
    address.postalCode = "40212";
    address.country = "DE";
    _order__PlaceOrder place_order;
    _order__PlaceOrderResponse placed;
    place_order.customerId = customer.id;
    place_order.line.push_back(&line);
    place_order.shippingAddress = &address;
    use_password(s.soap, admin);
    if (!succeeded(s.soap, s.orders.PlaceOrder(&place_order, placed), tag + " PlaceOrder"))
        return;
    const order__Order &order = *placed.order;
    check(order.id > 0 && order.customerId == customer.id &&
              order.status == order__OrderStatus__placed && order.line.size() == 1 &&
              order.line[0]->sku == product.sku && order.line[0]->productName == product.name &&
              order.line[0]->quantity == 2 && order.line[0]->unitPrice == "19.99" &&
              order.line[0]->lineTotal == "39.98" && order.total == "39.98" &&
              order.currency == "EUR" && order.shippingAddress->city == address.city,
          tag + " PlaceOrder: the order with exact amounts");

    _order__GetOrder get_order;
    _order__GetOrderResponse got_order;
    get_order.id = order.id;
    use_digest(s.soap, admin);
    if (succeeded(s.soap, s.orders.GetOrder(&get_order, got_order), tag + " GetOrder"))
        check(got_order.order->id == order.id && got_order.order->total == "39.98" &&
                  got_order.order->placedAt == order.placedAt,
              tag + " GetOrder (PasswordDigest): the order just placed");

    // A wrong password: wsse:FailedAuthentication.
    Credentials wrong = admin;
    wrong.password = "not-the-password";
    use_password(s.soap, wrong);
    if (s.auth.WhoAmI(&who_am_i, me) != SOAP_FAULT)
        check(false, tag + " WhoAmI with a wrong password", "no fault");
    else
        check(fault_code(s.soap) == "wsse:FailedAuthentication",
              tag + " WhoAmI with a wrong password: wsse:FailedAuthentication",
              error_text(s.soap));
}

int main(int argc, char **argv) {
    const char *username = std::getenv("SOAPSTONE_USERNAME");
    const char *password = std::getenv("SOAPSTONE_PASSWORD");
    const char *digest_secret = std::getenv("SOAPSTONE_DIGEST_SECRET");
    const std::string version = argc == 3 ? argv[2] : "";
    if ((version != "1.1" && version != "1.2") || username == NULL || password == NULL ||
        digest_secret == NULL) {
        std::cerr << "usage: SOAPSTONE_USERNAME=... SOAPSTONE_PASSWORD=... "
                     "SOAPSTONE_DIGEST_SECRET=... client_test BASE_URL 1.1|1.2\n";
        return 2;
    }
    const Credentials admin = {username, password, digest_secret};

    struct soap *soap = soap_new();
    soap_register_plugin(soap, soap_wsse);
    if (version == "1.1") {
        Soap11 services(soap, argv[1]);
        std::vector<Namespace> table = soap11_namespaces();
        soap_set_namespaces(soap, table.data()); // after the proxies: each sets the generated one
        run(services, admin, "SOAP 1.1");
    } else {
        Soap12 services(soap, argv[1]);
        run(services, admin, "SOAP 1.2");
    }
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap);
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
