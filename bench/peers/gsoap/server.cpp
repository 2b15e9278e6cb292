// The gSOAP 2.8 peer of bench/run.sh: a stand-alone server of the shared bench contract
// (urn:bench, wsdl/BenchService.wsdl) with the data binding wsdl2h and soapcpp2 generate from
// it (build.sh). Echo returns what it was sent; GetItem computes the item from its id as
// Soapstone's bench service does: name "Item <id>", price id x 1.25 with two decimals,
// quantity (id x 3) mod 1000 (never negative), updated 2024-05-17T12:34:56Z.
//
//   gsoap-bench HOST:PORT iterative|threaded
//   gsoap-bench-wsse HOST:PORT iterative|threaded USERNAME PASSWORD
//
// Port 0 picks a free port; the server prints "listening on http://HOST:PORT" once it accepts.
// iterative is gSOAP's default loop: one process, one thread, one request per connection (no
// HTTP keep-alive, since one connection held open would starve the others). threaded is gSOAP's
// multi-threaded stand-alone server: a thread per connection (soap_copy), HTTP keep-alive with
// gSOAP's default of at most 100 requests per connection, and the request's memory released
// after each request of the keep-alive loop (fserveloop).
//
// Built with -DBENCH_WSSE (gsoap-bench-wsse), both operations require a wsse:UsernameToken
// whose username is USERNAME and whose PasswordText is PASSWORD, checked by the gSOAP wsse
// plugin (soap_wsse_get_Username, soap_wsse_verify_Password), and answer
// wsse:FailedAuthentication otherwise.

#include "BenchBinding.nsmap"
#include "soapH.h"
#ifdef BENCH_WSSE
#include "wsseapi.h"
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#ifdef BENCH_WSSE
struct Credentials {
    const char *username;
    const char *password;
};

// The wsse check of gSOAP's documentation: the token's username, then its password; the
// request's Security header is not sent back.
static int authenticate(struct soap *soap) {
    const Credentials *expected = static_cast<const Credentials *>(soap->user);
    const char *username = soap_wsse_get_Username(soap);
    int error = SOAP_OK;
    if (!username)
        error = soap->error;
    else if (strcmp(username, expected->username) != 0)
        error = soap_wsse_fault(soap, wsse__FailedAuthentication, NULL);
    else if (soap_wsse_verify_Password(soap, expected->password))
        error = soap->error;
    soap_wsse_delete_Security(soap);
    return error;
}
#else
static int authenticate(struct soap *) { return SOAP_OK; }
#endif

int __ns1__Echo(struct soap *soap, _ns1__Echo *request, _ns1__EchoResponse &response) {
    if (int error = authenticate(soap))
        return error;
    response.text = request->text;
    response.count = request->count;
    response.amount = request->amount;
    response.stamp = request->stamp;
    response.items = request->items; // owned by the context until soap_end
    return SOAP_OK;
}

int __ns1__GetItem(struct soap *soap, _ns1__GetItem *request, _ns1__GetItemResponse &response) {
    if (int error = authenticate(soap))
        return error;
    const long long id = request->id;
    const long long cents = id * 125, magnitude = cents < 0 ? -cents : cents;
    char price[32];
    snprintf(price, sizeof price, "%s%lld.%02lld", cents < 0 ? "-" : "", magnitude / 100,
             magnitude % 100);
    response.id = request->id;
    response.name = "Item " + std::to_string(id);
    response.price = price;
    response.quantity = static_cast<int>(((id * 3) % 1000 + 1000) % 1000);
    response.updated = 1715949296; // 2024-05-17T12:34:56Z
    return SOAP_OK;
}

// Releases what a request of the keep-alive loop allocated, once its response is sent.
static int release_request(struct soap *soap) {
    soap_destroy(soap);
    soap_end(soap);
    return SOAP_OK;
}

static void serve_connection(struct soap *soap) {
    soap_serve(soap);
    soap_destroy(soap);
    soap_end(soap);
    soap_free(soap);
}

static int usage() {
#ifdef BENCH_WSSE
    fprintf(stderr, "usage: gsoap-bench-wsse HOST:PORT iterative|threaded USERNAME PASSWORD\n");
#else
    fprintf(stderr, "usage: gsoap-bench HOST:PORT iterative|threaded\n");
#endif
    return 2;
}

int main(int argc, char **argv) {
#ifdef BENCH_WSSE
    if (argc != 5)
        return usage();
    Credentials credentials{argv[3], argv[4]};
#else
    if (argc != 3)
        return usage();
#endif
    const std::string address = argv[1], mode = argv[2];
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos || (mode != "iterative" && mode != "threaded"))
        return usage();
    const std::string host = address.substr(0, colon);
    const int port = atoi(address.c_str() + colon + 1);
    const bool threaded = mode == "threaded";
    // A client closing its connection while a response is written must not end the server, as
    // gSOAP's documentation tells servers: the write fails with EPIPE instead.
    signal(SIGPIPE, SIG_IGN);

    struct soap *soap = soap_new1(threaded ? SOAP_IO_KEEPALIVE : SOAP_IO_DEFAULT);
    soap_set_namespaces(soap, namespaces);
    soap->bind_flags = SO_REUSEADDR;
    if (threaded)
        soap->fserveloop = release_request;
#ifdef BENCH_WSSE
    soap_register_plugin(soap, soap_wsse);
    soap->user = &credentials;
#endif
    // The listen backlog Soapstone has (tokio's TcpListener::bind asks for 1024), so that at
    // 1,024 connections both queue the same number of connects.
    if (!soap_valid_socket(soap_bind(soap, host.c_str(), port, 1024))) {
        soap_print_fault(soap, stderr);
        return 1;
    }
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    getsockname(soap->master, reinterpret_cast<struct sockaddr *>(&bound), &length);
    const in_port_t bound_port = bound.ss_family == AF_INET6
                                     ? reinterpret_cast<struct sockaddr_in6 *>(&bound)->sin6_port
                                     : reinterpret_cast<struct sockaddr_in *>(&bound)->sin_port;
    printf("listening on http://%s:%d (%s)\n", host.c_str(), ntohs(bound_port), mode.c_str());
    fflush(stdout);

    for (;;) {
        if (!soap_valid_socket(soap_accept(soap))) {
            soap_print_fault(soap, stderr);
            return 1;
        }
        if (threaded) {
            std::thread(serve_connection, soap_copy(soap)).detach();
        } else {
            soap_serve(soap);
            soap_destroy(soap);
            soap_end(soap);
        }
    }
}
