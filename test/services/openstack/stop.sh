#!/bin/bash
# Stops what setup.sh started, by pidfile only (SIGTERM, SIGKILL after 15 s).
#   stop.sh           keep the state: the next setup.sh is a warm start (~6 s)
#   stop.sh --purge   also delete the state: the next setup.sh initialises a fresh cloud
STATE=${SGAUDIT_OS_STATE:-/tmp/sgaudit-openstack}
stop_pidfile() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  # neutron-server's parent stops its workers; uwsgi's master (--die-on-term) stops its worker
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "$file: pid $pid ignored SIGTERM, sending SIGKILL"; kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid"; }
  fi
  rm -f "$file"
}
stop_pidfile "$STATE/neutron.pid"
stop_pidfile "$STATE/keystone.pid"
if [ "${1:-}" = --purge ]; then rm -rf "$STATE"; echo "openstack services stopped, $STATE deleted"
else echo "openstack services stopped (state kept in $STATE)"; fi
