#!/usr/bin/env bash
# Builds the gSOAP client of Soapstone from the contract a running server serves.
#
#   tests/interop/gsoap/build.sh BASE_URL BUILD_DIR
#
# wsdl2h reads the four services' ?wsdl (and the ?xsd= schemas they import) into one header,
# soapcpp2 turns it into C++ proxies, one class per binding (UserServiceSoap11BindingProxy,
# UserServiceSoap12BindingProxy, ...), and g++ compiles them with client_test.cpp and the
# gSOAP wsse and wsa plugins into BUILD_DIR/client_test (wsdl2h imports wsa5.h for the
# WSDLs' wsam:Addressing policy and wsse.h for their WS-SecurityPolicy, and wsse's fault
# functions then call the wsa plugin's).
# Everything generated stays in BUILD_DIR.
# Needs the Debian packages gsoap, libgsoap-dev, g++, pkg-config, libssl-dev and zlib1g-dev.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
base_url="${1:?usage: build.sh BASE_URL BUILD_DIR}"
build="${2:?usage: build.sh BASE_URL BUILD_DIR}"
gsoap=/usr/share/gsoap

mkdir -p "$build"
cd "$build"

# -N: a proxy class per binding (srv, srv2, ... prefix their operations); -t: our type map.
wsdl2h -Nsrv -t "$here/typemap.dat" -o soapstone.h \
    "$base_url/services/UserService?wsdl" \
    "$base_url/services/CatalogService?wsdl" \
    "$base_url/services/OrderService?wsdl" \
    "$base_url/services/AuthService?wsdl"

# -j: C++ proxy classes; -C: client side only; -L: no soapClientLib; -x: no sample messages.
soapcpp2 -j -C -L -x -I"$gsoap/import" soapstone.h

# The library's own flags (WITH_OPENSSL, WITH_DOM, ...: they shape struct soap), the wsse plugin
# and the wsa plugin it calls, with what wsse needs (smdevp.c and mecevp.c for OpenSSL, struct_timeval.c for the saml2.h types
# wsse.h imports), g++ compiling their .c files as C++. The eight proxies go into one
# translation unit, or each would parse the 1.4 MB soapH.h again; one compiler per core.
echo "$(pkg-config --cflags gsoapssl++) -I. -I$gsoap/plugin -I$gsoap" \
    -Wno-deprecated-declarations >cflags.rsp
printf '#include "%s"\n' soap*Proxy.cpp >proxies.cpp
sources=(soapC.cpp proxies.cpp "$gsoap/plugin/wsseapi.c" "$gsoap/plugin/wsaapi.c" "$gsoap/plugin/smdevp.c"
    "$gsoap/plugin/mecevp.c" "$gsoap/custom/struct_timeval.c" "$here/client_test.cpp")
printf '%s\0' "${sources[@]}" |
    xargs -0 -n 1 -P "$(nproc)" sh -c 'g++ @cflags.rsp -c "$1" -o "${1##*/}.o"' compile
objects=("${sources[@]##*/}")
read -r -a libs <<<"$(pkg-config --libs gsoapssl++)"
g++ -o client_test "${objects[@]/%/.o}" "${libs[@]}" -lssl -lcrypto
