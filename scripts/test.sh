#!/usr/bin/env bash
# The README's test command: every test of the workspace, with a throwaway PostgreSQL 15
# (initdb in a temporary directory, loopback only, stopped at the end) for the
# PostgreSQL store's tests. Extra arguments go to `cargo test`.
#
# On a fresh machine it installs what the tests need and is missing, with apt-get when
# it runs as root on a Debian-like system: PostgreSQL's server (initdb), and for the
# browser test (crates/cli/tests/browser.rs) Chromium, ChromeDriver and a CJK font (so
# the screenshots show Chinese, not boxes); otherwise it stops and says what to install.
# `.ci/run` relies on this step, not a copy of it.
set -euo pipefail
cd "$(dirname "$0")/.."

have_initdb() {
    { [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; } ||
        { command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; } ||
        ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
        command -v initdb >/dev/null 2>&1
}
if ! have_initdb; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing the PostgreSQL server (initdb was not found)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "error: the PostgreSQL store's tests need PostgreSQL's server binaries (initdb), which were not found." >&2
        echo "Install them (Debian/Ubuntu: sudo apt-get install postgresql; or set PG_BINDIR to their directory)," >&2
        echo "or skip those tests on purpose with REGULA_PG_SKIP=1 cargo test --workspace." >&2
        exit 1
    fi
fi

have_browser() {
    { [ -n "${REGULA_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 ||
        command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; } &&
        { [ -n "${REGULA_CHROMEDRIVER:-}" ] || command -v chromedriver >/dev/null 2>&1; }
}
have_cjk_font() {
    ! command -v fc-list >/dev/null 2>&1 || [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]
}
if [ -z "${REGULA_BROWSER_SKIP:-}" ] && ! { have_browser && have_cjk_font; }; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing Chromium, ChromeDriver and a CJK font for the browser test" >&2
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei >/dev/null
    elif ! have_browser; then
        echo "error: the browser test needs Chromium and ChromeDriver, which were not found." >&2
        echo "Install them (Debian: sudo apt-get install chromium chromium-driver fonts-wqy-zenhei;" >&2
        echo "Ubuntu: chromium-browser and chromium-chromedriver), or set REGULA_CHROMIUM and" >&2
        echo "REGULA_CHROMEDRIVER to their paths, or skip that test on purpose with REGULA_BROWSER_SKIP=1." >&2
        exit 1
    else
        echo "warning: no CJK font (fonts-wqy-zenhei): the browser test's screenshots will show boxes for Chinese." >&2
    fi
fi
if [ -z "${REGULA_GRAPHVIZ_SKIP:-}" ] && ! command -v dot >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing Graphviz for the diagram rendering test (dot was not found)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
    else
        echo "error: the diagram rendering test needs Graphviz's dot, which was not found." >&2
        echo "Install it (Debian/Ubuntu: sudo apt-get install graphviz), or skip that test on" >&2
        echo "purpose with REGULA_GRAPHVIZ_SKIP=1." >&2
        exit 1
    fi
fi
exec crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test --workspace "$@"
