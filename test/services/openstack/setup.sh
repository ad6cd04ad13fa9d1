#!/bin/bash
# Installs (once) and starts a real Keystone (uwsgi, sqlite) and neutron-server (ML2, sqlite,
# fake messaging transport) from Debian 12 packages, listening on 127.0.0.1 only, for the
# `openstack` live test tier. Idempotent: already installed -> no apt; already initialised ->
# warm start; already running -> nothing to do. Run as root. Prints how long each step took.
#
#   test/services/openstack/setup.sh        # then: npx vitest run test/live/openstack.test.ts
#   test/services/openstack/stop.sh         # stop by pidfile; `--purge` also deletes the state
#
# Environment (all optional):
#   SGAUDIT_OS_STATE      state directory               (default /tmp/sgaudit-openstack)
#   SGAUDIT_OS_KS_PORT    Keystone port on 127.0.0.1    (default 15000)
#   SGAUDIT_OS_NET_PORT   Neutron port on 127.0.0.1     (default 19696)
#   SGAUDIT_APT_ARCHIVES  .deb cache kept between runs  (default /var/cache/sgaudit/apt-archives)
#
# Writes $SGAUDIT_OS_STATE/clouds.yaml + secure.yaml (clouds: sgaudit-admin, sgaudit-reader,
# sgaudit-appcred) which the tests and manual runs use.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${SGAUDIT_OS_STATE:-/tmp/sgaudit-openstack}
KS_PORT=${SGAUDIT_OS_KS_PORT:-15000}
NET_PORT=${SGAUDIT_OS_NET_PORT:-19696}
ARCHIVES=${SGAUDIT_APT_ARCHIVES:-/var/cache/sgaudit/apt-archives}
KS_URL=http://127.0.0.1:$KS_PORT/v3
NET_URL=http://127.0.0.1:$NET_PORT
# Bootstrap admin. Only reachable on 127.0.0.1; neutron validates tokens with it too.
ADMIN_PASSWORD=${SGAUDIT_OS_ADMIN_PASSWORD:-sgaudit-admin-secret}
PACKAGES=(keystone neutron-server curl)

T0=$(date +%s.%N)
step() { awk -v a="$T0" -v b="$(date +%s.%N)" -v m="$*" 'BEGIN{printf "[openstack setup %6.1fs] %s\n", b-a, m}'; }
die() { echo "openstack setup: $*" >&2; exit 1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_http() { # name url [seconds]
  local deadline=$(( $(date +%s) + ${3:-120} ))
  until curl -s -o /dev/null --max-time 2 "$2"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$1 did not answer on $2 (logs: $STATE/log/)"
    sleep 0.2
  done
  step "$1 answers on $2"
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, keystone-manage)"

# ---- 1. packages. docker images' apt config deletes /var/cache/apt/archives/*.deb after every
# install, so the .debs are kept in a directory of our own that survives between runs.
installed() { local p; for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || return 1; done; }
if installed "${PACKAGES[@]}"; then
  step "packages already installed"
else
  mkdir -p "$ARCHIVES/partial"
  APT=(apt-get -y -q -o Dir::Cache::Archives="$ARCHIVES" -o Dpkg::Use-Pty=0)
  export DEBIAN_FRONTEND=noninteractive
  # no systemd here: refuse service starts from postinst scripts instead of failing on them
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; POLICY_ADDED=1; fi
  if ! "${APT[@]}" install --no-install-recommends "${PACKAGES[@]}" > "${TMPDIR:-/tmp}/sgaudit-apt.log" 2>&1; then
    step "apt-get install failed once; refreshing package lists"
    "${APT[@]}" update >> "${TMPDIR:-/tmp}/sgaudit-apt.log" 2>&1
    "${APT[@]}" install --no-install-recommends "${PACKAGES[@]}" >> "${TMPDIR:-/tmp}/sgaudit-apt.log" 2>&1 \
      || { tail -30 "${TMPDIR:-/tmp}/sgaudit-apt.log" >&2; die "apt-get install ${PACKAGES[*]} failed"; }
  fi
  [ "${POLICY_ADDED:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
  step "packages installed ($(ls "$ARCHIVES"/*.deb 2>/dev/null | wc -l) .debs cached in $ARCHIVES)"
fi

# ---- 2. already running? (both pidfiles alive and both APIs answering)
if alive "$STATE/keystone.pid" && alive "$STATE/neutron.pid" && [ -f "$STATE/.bootstrapped" ] \
   && curl -sf -o /dev/null --max-time 2 "$KS_URL" && curl -sf -o /dev/null --max-time 2 "$NET_URL/"; then
  step "already running: keystone=$KS_URL neutron=$NET_URL clouds=$STATE/clouds.yaml"
  exit 0
fi
"$HERE/stop.sh" >/dev/null 2>&1 || true   # half-started leftovers
for p in "$KS_PORT" "$NET_PORT"; do
  port_busy "$p" && die "127.0.0.1:$p is used by another process (set SGAUDIT_OS_KS_PORT/SGAUDIT_OS_NET_PORT)"
done

# ---- 3. configuration (regenerated every run; paths and ports come from the variables above)
mkdir -p "$STATE"/{keystone,neutron/lock,log}
cat > "$STATE/keystone.conf" <<CONF
[DEFAULT]
log_file = $STATE/log/keystone.log
[database]
# check_same_thread=false: keystone's leaked connections are garbage-collected in another uwsgi
# thread; pysqlite then refuses to close them and their open read transaction locks the DB.
connection = sqlite:///$STATE/keystone/keystone.db?check_same_thread=false
[identity]
# test users only: default 12 bcrypt rounds cost ~0.4 s per password login
password_hash_rounds = 4
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
CONF
cat > "$STATE/neutron.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $NET_PORT
core_plugin = ml2
service_plugins =
auth_strategy = keystone
# in-process messaging: no broker; RPC casts to (absent) agents go nowhere
transport_url = fake:/
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
state_path = $STATE/neutron
log_file = $STATE/log/neutron-server.log
[database]
connection = sqlite:///$STATE/neutron/neutron.db
[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:$KS_PORT
auth_url = http://127.0.0.1:$KS_PORT
auth_type = password
username = admin
password = $ADMIN_PASSWORD
user_domain_name = Default
project_name = admin
project_domain_name = Default
[oslo_concurrency]
lock_path = $STATE/neutron/lock
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
[oslo_policy]
# Secure-RBAC defaults, so the tests prove that a project reader suffices and cannot write;
# Zed's legacy defaults would let any role create networks and groups.
enforce_new_defaults = true
CONF

# ---- 4. Keystone database (sqlite), once
if [ ! -f "$STATE/keystone/.ready" ]; then
  rm -rf "$STATE/keystone"; mkdir -p "$STATE/keystone"
  KM=(keystone-manage --config-file "$STATE/keystone.conf")
  { "${KM[@]}" db_sync
    sqlite3 "$STATE/keystone/keystone.db" 'PRAGMA journal_mode=WAL;'
    "${KM[@]}" fernet_setup --keystone-user root --keystone-group root
    "${KM[@]}" credential_setup --keystone-user root --keystone-group root
    "${KM[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "$KS_URL/" --bootstrap-internal-url "$KS_URL/" --bootstrap-public-url "$KS_URL/"
  } >> "$STATE/log/keystone-manage.log" 2>&1 || die "keystone-manage failed, see $STATE/log/keystone-manage.log"
  touch "$STATE/keystone/.ready"; rm -f "$STATE/.bootstrapped"
  step "keystone database initialised"
fi

# ---- 5. Neutron database (sqlite), once. Neutron's alembic migrations cannot ALTER constraints on
# sqlite, so build the head schema from the models (as neutron's unit tests do) and stamp it.
if [ ! -f "$STATE/neutron/.ready" ]; then
  rm -f "$STATE/neutron/neutron.db"*
  { /usr/bin/python3 "$HERE/neutron_schema.py" "sqlite:///$STATE/neutron/neutron.db"
    neutron-db-manage --config-file "$STATE/neutron.conf" stamp heads
  } >> "$STATE/log/neutron-db.log" 2>&1 || die "neutron schema failed, see $STATE/log/neutron-db.log"
  touch "$STATE/neutron/.ready"; rm -f "$STATE/.bootstrapped"
  step "neutron database initialised"
fi

# ---- 6. start. Keystone under uwsgi; 'Connection: close' because uwsgi's --http-socket drops
# kept-alive connections and clients that reuse them get ECONNRESET.
OS_KEYSTONE_CONFIG_DIR=$STATE OS_KEYSTONE_CONFIG_FILES=keystone.conf \
uwsgi --plugins python3 --http-socket "127.0.0.1:$KS_PORT" --wsgi-file /usr/bin/keystone-wsgi-public \
  --master --processes 1 --threads 4 --enable-threads --lazy-apps --die-on-term --buffer-size 65535 \
  --add-header 'Connection: close' --pidfile "$STATE/keystone.pid" --daemonize "$STATE/log/keystone-uwsgi.log"
# setsid + pidfile, never `wait`: the daemons outlive this script
setsid /usr/bin/neutron-server --config-file "$STATE/neutron.conf" </dev/null >"$STATE/log/neutron-server.out" 2>&1 &
echo $! > "$STATE/neutron.pid"
wait_http keystone "$KS_URL"

# ---- 7. catalog, project, users, application credential, clouds.yaml (once per keystone DB)
if [ ! -f "$STATE/.bootstrapped" ]; then
  node "$HERE/bootstrap.mjs" --auth-url "$KS_URL" --network-url "$NET_URL" \
    --admin-password "$ADMIN_PASSWORD" --out "$STATE" || die "bootstrap.mjs failed"
  touch "$STATE/.bootstrapped"
  step "catalog, project, users and application credential created"
fi
wait_http neutron "$NET_URL/"
step "ready: keystone=$KS_URL neutron=$NET_URL clouds=$STATE/clouds.yaml (OS_CLIENT_CONFIG_FILE)"
