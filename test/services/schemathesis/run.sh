#!/usr/bin/env bash
# Runs schemathesis (pinned, from PyPI, into the shared venv) against a live `sgaudit serve` on
# 127.0.0.1, using openapi.yaml and an admin token. The bar: no server errors (5xx) and no
# response that breaks the spec. Exits non-zero on any failure.
#   SGAUDIT_VENV             venv location, cached between runs (default ~/.cache/sgaudit/venv)
#   SCHEMATHESIS_VERSION     pinned release (default below)
#   SCHEMATHESIS_PORT        port of the server under test (default 18080)
#   SCHEMATHESIS_EXAMPLES    generated cases per operation and phase (default 40)
#   SCHEMATHESIS_REPORT_DIR  where the JUnit report goes (default $TMPDIR/sgaudit-schemathesis-report)
set -euo pipefail

start=$(date +%s)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
venv="${SGAUDIT_VENV:-$HOME/.cache/sgaudit/venv}"
version="${SCHEMATHESIS_VERSION:-4.32.5}"
port="${SCHEMATHESIS_PORT:-18080}"
examples="${SCHEMATHESIS_EXAMPLES:-40}"
report_dir="${SCHEMATHESIS_REPORT_DIR:-${TMPDIR:-/tmp}/sgaudit-schemathesis-report}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$version')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

cd "$repo"
if [ ! -f dist/src/cli/bin.js ] || [ -n "$(find src providers rules -name '*.ts' -newer dist/src/cli/bin.js -print -quit)" ]; then
  npm run --silent build
fi

work="$(mktemp -d)"
token="schemathesis-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

SGAUDIT_API_TOKEN="$token" SGAUDIT_LOG_LEVEL=warn \
  node dist/src/cli/bin.js serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" 2>/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "sgaudit serve exited during start-up; log follows:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done

status=0
"$venv/bin/schemathesis" run "$repo/openapi.yaml" \
  --url "http://127.0.0.1:$port" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$examples" \
  --workers 1 \
  --request-timeout 30 \
  --generation-database none \
  --report junit --report-dir "$report_dir" \
  --no-color || status=$?

if [ "$status" -ne 0 ]; then
  echo "--- server log (warnings and errors) ---" >&2
  tail -n 100 "$work/server.log" >&2
fi
echo "schemathesis $version against sgaudit serve: exit $status ($(( $(date +%s) - start ))s)"
exit "$status"
