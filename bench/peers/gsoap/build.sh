#!/usr/bin/env bash
# Builds the gSOAP peer of bench/run.sh from the shared bench contract (wsdl/BenchService.wsdl,
# a verbatim copy of ../shared/bench/bench.wsdl), as the contract's README builds it:
#
#   bench/peers/gsoap/build.sh BUILD_DIR
#
# BUILD_DIR/gsoap-bench       the plain server: wsdl2h -o bench.h bench.wsdl;
#                             soapcpp2 -SL -x -I/usr/share/gsoap/import bench.h;
#                             g++ -O2 -DNDEBUG server.cpp soapC.cpp soapServer.cpp -lgsoap++
# BUILD_DIR/gsoap-bench-wsse  the same with the wsse plugin: wsdl2h imports wsse.h (typemap.dat),
#                             server.cpp is compiled with -DBENCH_WSSE and linked with the
#                             plugin (wsseapi.c with smdevp.c and mecevp.c, and struct_timeval.c
#                             for the types wsse.h imports), -lgsoapssl++ and OpenSSL
#
# Each compiler gets the library's own flags from pkg-config (WITH_DOM, WITH_OPENSSL...: they
# shape struct soap). Installs the Debian packages gsoap, libgsoap-dev, g++, pkg-config,
# libssl-dev and zlib1g-dev with apt-get when one is missing. What wsdl2h and soapcpp2 generate
# stays in BUILD_DIR/NAME.src.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
contract="$(cd "$here/../../.." && pwd)/wsdl/BenchService.wsdl"
mkdir -p "${1:?usage: build.sh BUILD_DIR}"
build="$(cd "$1" && pwd)"
gsoap=/usr/share/gsoap

if ! command -v wsdl2h >/dev/null || ! command -v soapcpp2 >/dev/null || ! command -v g++ >/dev/null ||
    ! pkg-config --exists gsoap++ gsoapssl++ openssl zlib 2>/dev/null; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends gsoap libgsoap-dev g++ pkg-config libssl-dev zlib1g-dev >/dev/null
fi

# variant NAME LIBRARY: generates the binding into BUILD_DIR/NAME.src and compiles
# BUILD_DIR/NAME, with the arrays wsdl2h_flags, cxxflags, extra_sources and extra_libs.
variant() {
    local name=$1 library=$2 src="$build/$1.src"
    mkdir -p "$src"
    cd "$src"
    wsdl2h "${wsdl2h_flags[@]}" -o bench.h "$contract" >wsdl2h.log 2>&1 || { cat wsdl2h.log >&2; return 1; }
    soapcpp2 -SL -x -I"$gsoap/import" bench.h >soapcpp2.log 2>&1 || { cat soapcpp2.log >&2; return 1; }
    local cflags libs
    read -r -a cflags <<<"$(pkg-config --cflags "$library")"
    read -r -a libs <<<"$(pkg-config --libs "$library")"
    g++ -O2 -DNDEBUG "${cflags[@]}" "${cxxflags[@]}" -I. -o "$build/$name" \
        "$here/server.cpp" soapC.cpp soapServer.cpp "${extra_sources[@]}" "${libs[@]}" "${extra_libs[@]}"
}

(
    wsdl2h_flags=() cxxflags=() extra_sources=() extra_libs=()
    variant gsoap-bench gsoap++
) &
plain=$!
(
    wsdl2h_flags=(-t "$here/typemap.dat")
    cxxflags=(-DBENCH_WSSE -I"$gsoap/plugin" -I"$gsoap" -Wno-deprecated-declarations)
    # The plugin's C sources compiled as C++, as the C++ library it links with.
    extra_sources=(-x c++ "$gsoap/plugin/wsseapi.c" "$gsoap/plugin/smdevp.c" "$gsoap/plugin/mecevp.c"
        "$gsoap/custom/struct_timeval.c" -x none)
    extra_libs=(-lssl -lcrypto)
    variant gsoap-bench-wsse gsoapssl++
)
wait "$plain"
