#!/usr/bin/env bash
# The README's test command: every test of the workspace, with a throwaway PostgreSQL 15
# (initdb in a temporary directory, loopback only, stopped at the end) for the
# PostgreSQL store's tests. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec crates/store-postgres/scripts/with-throwaway-postgres.sh cargo test --workspace "$@"
