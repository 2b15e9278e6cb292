#!/usr/bin/env bash
# Runs the third-party SOAP client suites (zeep, suds, PHP SoapClient, node-soap, gSOAP), the
# replay of the SoapUI project (test_soapui_project.py), the client quickstarts of
# docs/clients (test_quickstarts.py, also JAX-WS) and the loading of every served WSDL by every
# generator (test_wsdl_loading.py, also wsimport) against the soapstone binary.
#
#   tests/interop/run.sh [pytest args...]
#
# Installs what the clients need when it is missing, then runs `pytest -q tests/interop` from
# the repository root:
# - Debian packages (as root, non-interactively, only those missing): python3-venv when
#   `python3 -m venv` does not work, php-cli php-soap php-xml when `php` or its soap extension
#   is missing, nodejs and npm when `node` or `npm` is missing, openjdk-17-jdk-headless when
#   `javac` is missing, jaxws (wsimport; it brings libjaxws-java) when `wsimport` is missing,
#   gsoap libgsoap-dev g++ pkg-config libssl-dev zlib1g-dev when wsdl2h, soapcpp2, gSOAP's
#   headers or what builds its client (gsoap/build.sh) is missing;
# - tests/interop/.venv with the pinned requirements.txt (zeep, suds-community, pytest);
# - tests/interop/node/node_modules from package-lock.json (`npm ci`) when it is missing or
#   older than the lock file.
# With everything present it installs nothing and only runs pip's quick "already satisfied"
# check. The server binary is $SOAPSTONE_BIN, by default target/debug/soapstone. The zeep
# suites (test_zeep_*.py and test_mtom.py, zeep's MTOM) then run a second time on PostgreSQL
# (SOAPSTONE_TEST_DB=postgres), which needs SOAPSTONE_TEST_PG (see conftest.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
node_dir="$here/node"

venv_works() {
    local probe
    probe="$(mktemp -d)"
    # Debian's python3 without python3-venv fails here (ensurepip is missing).
    if python3 -m venv "$probe/v" >/dev/null 2>&1; then
        rm -rf "$probe"
        return 0
    fi
    rm -rf "$probe"
    return 1
}

php_works() {
    command -v php >/dev/null 2>&1 &&
        php -r 'exit(class_exists("SoapClient") && class_exists("DOMDocument") ? 0 : 1);' >/dev/null 2>&1
}

# --- Debian packages -----------------------------------------------------------------------

need_apt=()
if [ ! -x "$venv/bin/python" ] && ! venv_works; then
    need_apt+=(python3-venv)
fi
php_works || need_apt+=(php-cli php-soap php-xml)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# The JAX-WS quickstart (docs/clients/jaxws.md): a JDK, and the RI's wsimport with its jars.
command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
command -v wsimport >/dev/null 2>&1 || need_apt+=(jaxws)
command -v wsdl2h >/dev/null 2>&1 && command -v soapcpp2 >/dev/null 2>&1 || need_apt+=(gsoap)
[ -f /usr/include/stdsoap2.h ] || need_apt+=(libgsoap-dev)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
if command -v pkg-config >/dev/null 2>&1; then
    pkg-config --exists openssl || need_apt+=(libssl-dev)
    pkg-config --exists zlib || need_apt+=(zlib1g-dev)
else
    need_apt+=(pkg-config libssl-dev zlib1g-dev)
fi

if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing: ${need_apt[*]}; install them (as root: apt-get install ${need_apt[*]}) and retry" >&2
        exit 1
    fi
    echo "== installing ${need_apt[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# node-soap 1.13.0 declares Node.js >= 20.19 (this kind of machine ships 20; Debian 12's own
# nodejs package is 18): say so up front rather than leave only node-soap's error to read.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "warning: node $(node --version) is older than the v20.19 that node-soap 1.13.0 (tests/interop/node) declares" >&2
fi

# --- Python: zeep, suds, requests-toolbelt, pytest ---------------------------------------------

if [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"

# --- node-soap ---------------------------------------------------------------------------------

if [ ! -d "$node_dir/node_modules/soap" ] ||
    [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.package-lock.json" ]; then
    echo "== npm ci in $node_dir" >&2
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

cd "$repo_root"
# Every suite on SQLite, then the zeep suites again on PostgreSQL (a fresh database in the
# cluster at SOAPSTONE_TEST_PG, which scripts/test.sh starts); both run, either failing fails.
status=0
"$venv/bin/python" -m pytest -q tests/interop "$@" || status=1
echo "== the zeep suites on PostgreSQL" >&2
SOAPSTONE_TEST_DB=postgres "$venv/bin/python" -m pytest -q tests/interop/test_zeep_*.py \
    tests/interop/test_mtom.py "$@" || status=1
exit "$status"
