#!/usr/bin/env bash
# Install the OS packages the test suite needs, when they are missing (Debian/Ubuntu apt-get):
#   redis-server  the Redis token store tests (tests/tokens/integration/test_tokens_*.py)
#   chromium      the browser test of the Flask example (tests/examples/test_browser.py)
#   postgresql    the Django app's tests on PostgreSQL (tests/contrib/django: initdb, pg_ctl)
# Used by `make test` (and the targets that need them) and by .ci/run. Installs as root, or
# through sudo; when neither works it fails, printing the exact command to run.
#   scripts/install-test-deps.sh          install what is missing
#   scripts/install-test-deps.sh --check  only report; exit 1 when something is missing
set -euo pipefail

check_only=0
case "${1:-}" in
    "") ;;
    --check) check_only=1 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# The same lookups as the tests: REDIS_SERVER / E2E_CHROMIUM when set, else the PATH.
have_redis() {
    [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ] && return
    command -v redis-server >/dev/null 2>&1
}

have_chromium() {
    if [ -n "${E2E_CHROMIUM:-}" ]; then
        [ -x "$E2E_CHROMIUM" ]
        return
    fi
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

# The same lookup as tests/contrib/django/postgres_server.py: PG_BINDIR, Debian's
# /usr/lib/postgresql/*/bin (PG_LIB_ROOT), the PATH.
have_postgres() {
    if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ]; then
        return
    fi
    local bindir
    for bindir in "${PG_LIB_ROOT:-/usr/lib/postgresql}"/*/bin; do
        [ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ] && return
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

missing() {
    have_redis || echo redis-server
    have_chromium || echo chromium
    have_postgres || echo postgresql
}

mapfile -t need < <(missing)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo "; fi
command_line="${sudo}apt-get update && ${sudo}apt-get install -y ${need[*]}"
if [ "$check_only" -eq 1 ]; then
    echo "missing OS packages for the tests: ${need[*]}; run: $command_line" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "the tests need ${need[*]} (no apt-get here: install them with your package" \
        "manager, or point REDIS_SERVER / E2E_CHROMIUM at the binaries)" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "the tests need ${need[*]}; as root, run:" \
        "apt-get update && apt-get install -y ${need[*]}" >&2
    exit 1
fi

echo "installing OS packages for the tests: ${need[*]}" >&2
if ! { ${as_root[@]+"${as_root[@]}"} apt-get update -qq \
    && ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; }; then
    echo "could not install ${need[*]}; run: $command_line" >&2
    exit 1
fi

mapfile -t still < <(missing)
if [ ${#still[@]} -gt 0 ]; then
    echo "still missing after apt-get install: ${still[*]}; run: $command_line" >&2
    exit 1
fi
