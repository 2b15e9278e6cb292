#!/usr/bin/env bash
# Installs the Debian packages that building Soapstone needs, when they are missing:
# pkg-config and libssl-dev (openssl: TLS, digest secrets, signatures), libxml2-dev and
# libclang-dev (the X.509 signature check canonicalizes with libxml2, whose Rust binding runs
# bindgen at build time). As root it runs apt-get; otherwise through sudo when there is one;
# else it names the packages and fails. Extra package names given as arguments are installed
# the same way (scripts/test.sh adds what its stages need).
set -euo pipefail

need=("$@")
pkg-config --version >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists openssl 2>/dev/null || need+=(libssl-dev)
pkg-config --exists libxml-2.0 2>/dev/null || need+=(libxml2-dev)
# libclang itself (libclang.so.N or libclang-N.so.N), not libclang-cpp, which some images carry.
compgen -G '/usr/lib/llvm-*/lib/libclang.so*' >/dev/null ||
    compgen -G '/usr/lib/llvm-*/lib/libclang-[0-9]*.so*' >/dev/null || need+=(libclang-dev)
if [ ${#need[@]} -eq 0 ]; then
    echo "build dependencies: nothing to install"
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "build dependencies: install these Debian packages as root first: ${need[*]}" >&2
    exit 1
fi
echo "build dependencies: installing ${need[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
