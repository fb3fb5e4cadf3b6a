#!/usr/bin/env bash
# The service tested by a client nobody here wrote: Schemathesis, a property-based API
# tester, reads the served OpenAPI document and sends what it generates (valid and
# invalid requests) to a live `regula serve` on a scratch store. It fails on any 5xx,
# any response that does not meet the document (status, media type, schema), any
# operation that answers without a token; afterwards the store must still verify.
#
#   scripts/api-fuzz.sh                 # builds regula (in CARGO_TARGET_DIR or target/)
#   REGULA_BIN=path/to/regula scripts/api-fuzz.sh
#   API_FUZZ_EXAMPLES=100 scripts/api-fuzz.sh   # examples per operation (default 30)
#
# Installs Schemathesis (pinned) with pip when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${API_FUZZ_EXAMPLES:-30}
# A bound on each run's wall time, whatever the generator does (--max-time would
# instead keep fuzzing until it is spent).
MAX_TIME=${API_FUZZ_MAX_TIME:-90}

if ! command -v schemathesis >/dev/null 2>&1; then
    echo "== installing schemathesis $SCHEMATHESIS_VERSION (pip)" >&2
    python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
    hash -r
    command -v pyenv >/dev/null 2>&1 && pyenv rehash
fi
if ! command -v schemathesis >/dev/null 2>&1; then
    echo "error: schemathesis is not on PATH after installing it" >&2
    exit 1
fi
installed=$(schemathesis --version | awk '{print $NF}')
if [ "$installed" != "$SCHEMATHESIS_VERSION" ]; then
    echo "warning: schemathesis $installed, tested with $SCHEMATHESIS_VERSION" >&2
fi

if [ -z "${REGULA_BIN:-}" ]; then
    cargo build -q -p regula-cli --bin regula
    # Where cargo put it: CARGO_TARGET_DIR when set, else the workspace's target/.
    REGULA_BIN="${CARGO_TARGET_DIR:-target}/debug/regula"
fi
REGULA_BIN=$(realpath "$REGULA_BIN")

work=$(mktemp -d "${TMPDIR:-/tmp}/regula-api-fuzz.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

store="$work/regula.db"
regula() { "$REGULA_BIN" --store "$store" "$@"; }

echo "== a scratch store: the plan, ADJ-01-01 through a consultation, tokens ($work)"
regula init >/dev/null
regula catalog import --at 2022-05-16 >/dev/null
# Several states, records accepted and refused (the README tour's first steps).
regula do ADJ-01-01 assign_department --as wang@综合办公室 --at 2023-03-01 department=立案庭 >/dev/null
regula do ADJ-01-01 start_drafting --as li@立案庭 --at 2023-03-06 >/dev/null
regula do ADJ-01-01 open_consultation --as li@立案庭 --at 2023-03-20 draft.text=草案 >/dev/null 2>&1 &&
    { echo "error: the tour's refusal was accepted" >&2; exit 1; }
regula do ADJ-01-01 open_consultation --as li@立案庭 --at 2023-03-20 \
    --json-file examples/payloads/draft.json >/dev/null
regula do ADJ-01-01 record_opinion --as li@立案庭 --at 2023-03-27 \
    opinion.source=frontline opinion.author=张法官 opinion.content=通知期限宜与开庭日期挂钩 >/dev/null
regula do ADJ-01-08 start_drafting --as li@立案庭 --at 2023-03-06 >/dev/null
# Each kind of caller: a department's act token, the office's, the admin's.
department=$(regula token issue --as wang@综合办公室 --for li@立案庭 | tail -n 1)
office=$(regula token issue --as wang@综合办公室 --for wang@综合办公室 | tail -n 1)
admin=$(regula token issue --as wang@综合办公室 --for wang@综合办公室 --admin | tail -n 1)
records_before=$(regula --json verify | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"])')

# A signing key, so that proofs are served (without one they are 409).
regula key generate api-fuzz --secret "$work/court.key" --public "$work/court.pub" >/dev/null
# Port 0: the service binds a free port and prints it; no port is guessed.
"$REGULA_BIN" --store "$store" serve --listen 127.0.0.1:0 --sign "$work/court.key" 2>"$work/serve.log" &
server_pid=$!
base=
for _ in $(seq 1 300); do
    base=$(sed -n 's|^regula serve: \(http://[0-9.:]*\).*|\1|p' "$work/serve.log")
    if [ -n "$base" ] && curl -sf "$base/healthz" >/dev/null 2>&1; then
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; echo "error: regula serve exited" >&2; exit 1; }
    base=
    sleep 0.1
done
[ -n "$base" ] || { cat "$work/serve.log" >&2; echo "error: regula serve did not become healthy" >&2; exit 1; }
echo "== regula serve on $base"

# Checks: every one that holds for this API whatever the request. Left out:
# positive_data_acceptance (a valid request may well be refused: 404 for a code not in
# the catalog, 422 for an action its state does not allow), the stateful ones
# (use_after_free, ensure_resource_availability: the document has no links; nothing is
# ever deleted), object_level_authorization (no per-object ownership to probe).
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,ignored_auth,missing_required_header,unsupported_method,allow_header_conformance

status=0
fuzz() {
    local name=$1 token=$2 examples=$3
    shift 3
    echo "== schemathesis as $name ($examples examples per operation, at most ${MAX_TIME}s): $*"
    local started=$SECONDS
    # From the scratch directory: Schemathesis keeps a cache in ./.schemathesis.
    if ! (cd "$work" && timeout --signal=INT "$MAX_TIME" schemathesis run "$base/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks "$CHECKS" \
        --max-examples "$examples" \
        "$@" \
        --workers 1 \
        --seed "${API_FUZZ_SEED:-20220516}" \
        --generation-database none \
        --request-timeout 30 \
        --no-color); then
        status=1
    fi
    echo "== schemathesis as $name: $((SECONDS - started))s"
}
# Every operation with the department's token (the phases: the document's examples,
# the coverage phase's boundary and invalid values, then random ones); the office's
# and the admin's differ from it only in what they may write, so only the writes.
fuzz "li@立案庭 (act)" "$department" "$EXAMPLES" --phases examples,coverage,fuzzing
fuzz "wang@综合办公室 (act)" "$office" "$EXAMPLES" --phases examples,coverage,fuzzing --include-method POST
fuzz "wang@综合办公室 (admin)" "$admin" "$EXAMPLES" --phases examples,coverage,fuzzing --include-method POST

echo "== SIGTERM, then regula verify"
kill -TERM "$server_pid"
wait "$server_pid" || { cat "$work/serve.log" >&2; echo "error: regula serve did not stop cleanly" >&2; status=1; }
server_pid=
verified=$(regula --json verify) || true
echo "$verified" | python3 -c '
import json, sys
report = json.load(sys.stdin)
before = int(sys.argv[1])
ok, records = report["ok"], report["records"]
print(f"verify: ok={ok}, {records} records ({records - before} written by the fuzzer)")
for p in report.get("problems", []):
    print("  ", p)
sys.exit(0 if report["ok"] is True else 1)
' "$records_before" || status=1

exit $status
