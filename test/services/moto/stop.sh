#!/usr/bin/env bash
# Stops the moto_server that setup.sh started (by the pid it recorded; nothing else is touched).
set -euo pipefail
port="${MOTO_PORT:-5055}"
state_dir="${SGAUDIT_STATE_DIR:-$HOME/.cache/sgaudit}"
pid_file="$state_dir/moto-$port.pid"
if [ -f "$pid_file" ]; then
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    echo "stopped moto_server pid $pid"
  fi
  rm -f "$pid_file"
else
  echo "no moto_server pid file at $pid_file"
fi
