#!/usr/bin/env bash
# Runs every test of Soapstone on a Debian machine with the Rust toolchain, installing what the
# tests need first: the OpenSSL and libxml2 headers and libclang (the build), curl (TLS tests),
# xmllint (libxml2-utils) for schema validation, a Python venv for the third-party SOAP client
# tests (tests/interop/run.sh installs the rest those need: PHP with ext-soap, Node.js and npm,
# the pinned pip and npm packages). Formatting and lints are checked too.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
# openssl (TLS, digest secrets) builds against the system library.
pkg-config --exists openssl 2>/dev/null || need_apt+=(libssl-dev pkg-config)
# The X.509 signature check canonicalizes with libxml2; its Rust binding runs bindgen (libclang).
pkg-config --exists libxml-2.0 2>/dev/null || need_apt+=(libxml2-dev)
compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null || need_apt+=(libclang-dev)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test"
cargo test --locked
echo "== interop: third-party SOAP clients against the real server"
cargo build --locked --bin soapstone
SOAPSTONE_BIN="$PWD/target/debug/soapstone" bash tests/interop/run.sh
echo "== crash: kill -9 under concurrent writes"
SOAPSTONE_BIN="$PWD/target/debug/soapstone" bash tests/crash/run.sh
echo "== pages: the HTML service pages end to end in headless Chromium"
SOAPSTONE_BIN="$PWD/target/debug/soapstone" bash tests/pages/run.sh
