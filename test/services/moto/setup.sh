#!/usr/bin/env bash
# Installs moto_server into a cached virtualenv and starts it on 127.0.0.1 (idempotent).
# The aws-moto test tier reads MOTO_ENDPOINT (default http://127.0.0.1:${MOTO_PORT}).
#   SGAUDIT_VENV   venv location, cached between runs (default ~/.cache/sgaudit/venv)
#   MOTO_PORT      listen port (default 5055)
#   MOTO_VERSION   pinned moto release (default below; 5.2.5 is the one the tests were written against)
set -euo pipefail

start=$(date +%s)
venv="${SGAUDIT_VENV:-$HOME/.cache/sgaudit/venv}"
port="${MOTO_PORT:-5055}"
version="${MOTO_VERSION:-5.2.5}"
state_dir="${SGAUDIT_STATE_DIR:-$HOME/.cache/sgaudit}"
pid_file="$state_dir/moto-$port.pid"
log_file="$state_dir/moto-$port.log"
url="http://127.0.0.1:$port/moto-api/"

mkdir -p "$state_dir"

answers() { curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; }

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# Reinstall only when the pinned version is not already there, so a warm cache costs one pip query at most.
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('moto') != '$version')" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$version"
fi

if answers; then
  echo "moto_server already answering on 127.0.0.1:$port"
else
  # setsid: the server must outlive this script (CI runs the tests after it returns).
  setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log_file" 2>&1 < /dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 100); do
    if answers; then break; fi
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "moto_server exited during start-up; log follows:" >&2
      cat "$log_file" >&2
      exit 1
    fi
    sleep 0.2
  done
  if ! answers; then
    echo "moto_server did not answer on $url within 20 s; log: $log_file" >&2
    exit 1
  fi
  echo "moto_server $version started on 127.0.0.1:$port (pid $(cat "$pid_file"), log $log_file)"
fi

echo "moto setup took $(( $(date +%s) - start ))s; export MOTO_ENDPOINT=http://127.0.0.1:$port"
