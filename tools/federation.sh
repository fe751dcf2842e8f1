#!/usr/bin/env bash
# A local federation on loopback: the nation, two prefectures (東京都 13, 埼玉県 11) and three
# municipalities (稲城市 132250, 調布市 132080, 熊谷市 112020), each instance with its own
# nats-server (its own JetStream domain; municipalities are leaf nodes of their prefecture,
# prefectures of the nation) and its services, with each municipality's real facilities
# imported from reference-data/. See docs/federation.md.
#
#   tools/federation.sh start    provision the instances once (renkeictl instance init, admit,
#                                join: instance files, keys, nats-server configs), start
#                                everything, import demo data
#   tools/federation.sh stop     stop everything (services first, then the nats-servers)
#   tools/federation.sh status   renkeictl federation status over every instance
#   tools/federation.sh env <id> print the RENKEI_* addresses of an instance (eval "$(...)")
#
# Everything lives under data/federation/ (delete it to start from scratch). Ports: instance
# base B (national 15000, p13 15100, p11 15200, m132250 15300, m132080 15400, m112020 15500):
# nats-server B, leaf-node hub B+1, gRPC B+11..B+16 (directory, intake, issues, training,
# indicators, network), metrics B+21..B+26 (`renkeictl instance init --base-port B`; the instance
# file also names a gateway at B+10, which this script does not start). The console accounts'
# temporary passwords and the leaf credentials are in data/federation/secrets/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
root="$repo/data/federation"
pids="$root/pids"
logs="$root/logs"
bin="$repo/build/bin"
ctl="$bin/renkeictl"
nats_bin=/usr/sbin/nats-server

# id level code base parent
instances=(
  "national NATIONAL - 15000 -"
  "p13 PREFECTURE 130001 15100 national"
  "p11 PREFECTURE 110001 15200 national"
  "m132250 MUNICIPALITY 132250 15300 p13"
  "m132080 MUNICIPALITY 132080 15400 p13"
  "m112020 MUNICIPALITY 112020 15500 p11"
)
service_names=(directory intake issues training indicators network)

lookup() { # lookup <id> -> "level code base parent"
  local line
  for line in "${instances[@]}"; do
    read -r id level code base parent <<<"$line"
    if [[ $id == "$1" ]]; then echo "$level $code $base $parent"; return; fi
  done
  echo "unknown instance $1" >&2
  exit 2
}
services_of() {
  case "$1" in
    MUNICIPALITY) echo "directory intake issues training indicators network" ;;
    PREFECTURE) echo "directory issues training indicators network" ;;
    NATIONAL) echo "training indicators network" ;;
  esac
}
port_of() { # port_of <base> <service> [metrics]
  local i
  for i in "${!service_names[@]}"; do
    if [[ ${service_names[$i]} == "$2" ]]; then
      echo $(($1 + ${3:-11} + i))
      return
    fi
  done
}
token_of() { # token_of <id>: a day's token for the instance's own staff
  read -r level code _ _ <<<"$(lookup "$1")"
  local role jur=$code
  case "$level" in
    MUNICIPALITY) role=municipal_staff ;;
    PREFECTURE) role=prefecture_staff ;;
    NATIONAL) role=national_staff; jur=000000 ;;
  esac
  "$ctl" token issue --key-dir "$root/$1/keys" --key-id k1 --audience "$1" --subject "local-$1" \
    --role "$role" --jurisdiction "$jur" --ttl 86400
}

# Each instance is provisioned as an operator would (docs/provisioning.md), once: `renkeictl
# instance init` writes its directory (instance file, nats-server config, signing key k1, the
# console's first account, the join request), the parent admits it (`instance admit`: a leaf
# password of its own, the parent's config rendered again) and it joins with the credentials
# (`instance join`). Every step is skipped when done; a tree made by an older version of this
# script (instance files without join requests) is used as it is.
provision() {
  local line id level code base parent pbase args
  mkdir -p "$root/secrets"
  chmod 700 "$root/secrets"
  for line in "${instances[@]}"; do
    read -r id level code base parent <<<"$line"
    [[ -f $root/$id/instance.json ]] && continue
    args=(instance init --level "${level,,}" --dir "$root/$id" --base-port "$base" --key-id k1)
    [[ $code != "-" ]] && args+=(--code "$code")
    if [[ $parent != "-" ]]; then
      read -r _ _ pbase _ <<<"$(lookup "$parent")"
      args+=(--parent-url "nats-leaf://127.0.0.1:$((pbase + 1))")
    fi
    # Its output holds the console account's temporary password: kept with the secrets.
    "$ctl" "${args[@]}" >"$root/secrets/$id.init.txt"
    echo "   $id: provisioned (renkeictl instance init)"
  done
  for line in "${instances[@]}"; do
    read -r id level code base parent <<<"$line"
    if [[ $parent == "-" || ! -f $root/$id/join-request.json ]]; then
      # The nation, or a tree of an older version: its nats-server config as before.
      [[ -f $root/$id/nats.conf ]] ||
        "$ctl" federation nats-config --config "$root/$id/instance.json" >"$root/$id/nats.conf"
      continue
    fi
    local credentials="$root/secrets/$id.credentials.json"
    if [[ ! -f $credentials ]]; then
      "$ctl" instance admit --dir "$root/$parent" --request "$root/$id/join-request.json" \
        --out "$credentials" >/dev/null
      echo "   $parent: admitted $id (renkeictl instance admit)"
    fi
    if [[ ! -f $root/secrets/$id.joined ]]; then
      "$ctl" instance join --dir "$root/$id" --credentials "$credentials" >/dev/null
      touch "$root/secrets/$id.joined"
      echo "   $id: joined $parent (renkeictl instance join)"
    fi
  done
}

running() { [[ -f "$pids/$1" ]] && kill -0 "$(cat "$pids/$1")" 2>/dev/null; }

stop_one() {
  if running "$1"; then
    kill -TERM "$(cat "$pids/$1")"
    for _ in $(seq 1 100); do running "$1" || break; sleep 0.1; done
    echo "stopped $1"
  fi
  rm -f "$pids/$1"
}

stop() {
  local line id level
  for line in "${instances[@]}"; do
    read -r id level _ _ _ <<<"$line"
    for svc in $(services_of "$level"); do stop_one "$id.$svc"; done
  done
  # Children's servers first, so no leaf link is left reconnecting to a stopped hub.
  for id in m112020 m132080 m132250 p11 p13 national; do stop_one "$id.nats"; done
}

env_of() {
  read -r level code base _ <<<"$(lookup "$1")"
  local svc
  for svc in "${service_names[@]}"; do
    echo "export RENKEI_${svc^^}=127.0.0.1:$(port_of "$base" "$svc")"
  done
  echo "export RENKEI_TOKEN=$(token_of "$1")"
}

configs() {
  local line id args=()
  for line in "${instances[@]}"; do
    read -r id _ _ _ _ <<<"$line"
    args+=(--config "$root/$id/instance.json")
  done
  printf '%s\n' "${args[@]}"
}

status() {
  mapfile -t args < <(configs)
  "$ctl" federation status "${args[@]}"
}

# The real facilities the demo imports: the repository's copy of the reference data.
reference_data() { echo "$repo/reference-data"; }

wait_ready() { # wait_ready <id> <service>
  read -r level code base _ <<<"$(lookup "$1")"
  local addr="127.0.0.1:$(port_of "$base" "$2")"
  local probe
  case "$2" in
    directory) probe=(resource capabilities) ;;
    intake) probe=(consultation list) ;;
    issues) probe=(issue list) ;;
    training) probe=(training list) ;;
    indicators) probe=(indicator list) ;;
    network) probe=(network profiles) ;;
  esac
  local token
  token=$(token_of "$1")
  for _ in $(seq 1 200); do
    if RENKEI_TOKEN=$token "$ctl" --timeout 1 "--$2" "$addr" "${probe[@]}" >/dev/null 2>&1; then return; fi
    if ! running "$1.$2"; then
      echo "$1 $2 failed to start:" >&2
      tail -5 "$logs/$1.$2.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$1 $2 did not become ready" >&2
  exit 1
}

start() {
  bash tools/setup.sh
  echo "== build (first time: a few minutes on 2 cores)"
  bash tools/build.sh renkei-directory renkei-intake renkei-issues renkei-training \
    renkei-indicators renkei-network renkeictl
  stop >/dev/null 2>&1 || true
  mkdir -p "$pids" "$logs"
  echo "== provision the instances (renkeictl instance init, admit, join)"
  provision
  local line id level code base parent
  echo "== start the nats-servers (the nation first: leaf nodes connect upwards)"
  for line in "${instances[@]}"; do
    read -r id _ _ _ _ <<<"$line"
    "$nats_bin" -c "$root/$id/nats.conf" >>"$logs/$id.nats.log" 2>&1 &
    echo $! >"$pids/$id.nats"
  done
  for line in "${instances[@]}"; do
    read -r id level code base parent <<<"$line"
    for svc in $(services_of "$level"); do
      "$bin/renkei-$svc" --config "$root/$id/instance.json" >>"$logs/$id.$svc.log" 2>&1 &
      echo $! >"$pids/$id.$svc"
    done
  done
  for line in "${instances[@]}"; do
    read -r id level _ _ _ <<<"$line"
    for svc in $(services_of "$level"); do wait_ready "$id" "$svc"; done
    echo "   $id: $(services_of "$level") ready"
  done

  local data
  data=$(reference_data)
  echo "== each municipality imports its own facilities (${data})"
  for line in "${instances[@]}"; do
    read -r id level code base _ <<<"$line"
    [[ $level == MUNICIPALITY ]] || continue
    for f in "$data"/mhlw-kaigo-opendata/jigyosho_*.csv "$data/visiting_nursing_stations.csv" \
      "$data/medical_institutions_ika.csv"; do
      set +e
      RENKEI_TOKEN=$(token_of "$id") \
        "$ctl" --directory "127.0.0.1:$(port_of "$base" directory)" resource import --allow-partial \
        --only-municipality "$code" "$f" >"$logs/$id.import-$(basename "$f").txt" 2>&1
      local rc=$?
      set -e
      if [[ $rc -ne 0 && $rc -ne 7 ]]; then
        echo "import of $f into $id failed (exit $rc):" >&2
        cat "$logs/$id.import-$(basename "$f").txt" >&2
        exit 1
      fi
    done
    echo "   $id: $(grep -h '新規' "$logs"/$id.import-*.txt | awk '{s+=$NF} END {print s+0}') facilities imported"
  done
  cat <<MSG

ローカル連携環境が動いています / the local federation is running:
  国 national   nats 127.0.0.1:15000  leaf hub :15001   training :15014  indicators :15015 network :15016
  東京都 p13    nats 127.0.0.1:15100  leaf hub :15101   directory :15111 issues :15113 training :15114 indicators :15115 network :15116
  埼玉県 p11    nats 127.0.0.1:15200  leaf hub :15201   directory :15211 issues :15213 training :15214 indicators :15215 network :15216
  稲城市 m132250 nats 127.0.0.1:15300  directory :15311 intake :15312 issues :15313 training :15314 indicators :15315 network :15316
  調布市 m132080 nats 127.0.0.1:15400  (…:15411-15416)
  熊谷市 m112020 nats 127.0.0.1:15500  (…:15511-15516)
  instance files, nats-server configs and logs: data/federation/

次に試すこと / try next:
  tools/federation.sh status
  # 東京都の資源 (稲城市と調布市から連携で届いたもの)
  build/bin/renkeictl --directory 127.0.0.1:15111 resource search -k visiting_nurse_station --prefecture 13
  # 稲城市から、調布市の資源 (都道府県経由で届いたもの) を検索
  build/bin/renkeictl --directory 127.0.0.1:15311 resource search -k visiting_nurse_station -m 132080
  eval "\$(tools/federation.sh env m132250)"   # then renkeictl talks to Inagi

停止 / stop:  tools/federation.sh stop
MSG
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_of "${2:?usage: $0 env <instance id>}" ;;
  *) echo "usage: $0 [start|stop|status|env <id>]" >&2; exit 2 ;;
esac
