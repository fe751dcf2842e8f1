#!/usr/bin/env bash
# One command for a newcomer: sets up the machine, builds, starts a local municipal instance
# (稲城市 Inagi, 132250: nats-server, renkei-directory, renkei-intake, renkei-issues,
# renkei-training, renkei-indicators, renkei-gateway and the console) with the real public data
# from reference-data/, and prints the console's URL, a demo account and what to try next.
#
#   tools/run-local.sh          start (or show the running instance)
#   tools/run-local.sh stop     stop it
#   tools/run-local.sh status   show what runs
#
# Data, logs and pid files live under data/local/ (delete it to start from scratch).
# RENKEI_BUILD_DIR: the build directory (default build/); RENKEI_SKIP_BUILD=1: use it as it is.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
state="$repo/data/local"
pids="$state/pids"
logs="$state/logs"
bin="${RENKEI_BUILD_DIR:-$repo/build}/bin"
ctl="$bin/renkeictl"
nats_bin=/usr/sbin/nats-server
export RENKEI_DIRECTORY=127.0.0.1:7101
export RENKEI_INTAKE=127.0.0.1:7102
export RENKEI_ISSUES=127.0.0.1:7103
export RENKEI_TRAINING=127.0.0.1:7104
export RENKEI_INDICATORS=127.0.0.1:7105
export RENKEI_NETWORK=127.0.0.1:7106
services=(renkei-directory renkei-intake renkei-issues renkei-training renkei-indicators renkei-network)
console_url=http://127.0.0.1:7180/

running() { [[ -f "$pids/$1" ]] && kill -0 "$(cat "$pids/$1")" 2>/dev/null; }

stop() {
  for p in renkei-gateway renkei-network renkei-indicators renkei-training renkei-issues renkei-intake renkei-directory nats-server; do
    if running "$p"; then
      kill -TERM "$(cat "$pids/$p")"
      for _ in $(seq 1 100); do running "$p" || break; sleep 0.1; done
      echo "stopped $p"
    fi
    rm -f "$pids/$p"
  done
}

status() {
  for p in nats-server renkei-directory renkei-intake renkei-issues renkei-training renkei-indicators renkei-network renkei-gateway; do
    if running "$p"; then echo "$p: running (pid $(cat "$pids/$p"))"; else echo "$p: stopped"; fi
  done
}

# The real facilities the demo imports: the repository's copy of the reference data.
reference_data() { echo "$repo/reference-data"; }

port_busy() { ss -ltn "( sport = :$1 )" 2>/dev/null | grep -q LISTEN; }

next_steps() {
  cat <<MSG

稲城市 (132250) のローカル環境が動いています / the local Inagi instance is running.

  コンソール / console:  ${console_url}
    デモアカウント (市区町村職員・全画面):   inagi-demo  / $(cat "$state/demo-password")
    デモアカウント (コーディネーター):       inagi-coord / $(cat "$state/demo-password")

  directory gRPC  127.0.0.1:7101   metrics http://127.0.0.1:9101/metrics   (health, reflection)
  intake    gRPC  127.0.0.1:7102   metrics http://127.0.0.1:9102/metrics
  issues    gRPC  127.0.0.1:7103   metrics http://127.0.0.1:9103/metrics
  training  gRPC  127.0.0.1:7104   metrics http://127.0.0.1:9104/metrics
  indicators gRPC 127.0.0.1:7105   metrics http://127.0.0.1:9105/metrics
  network   gRPC  127.0.0.1:7106   metrics http://127.0.0.1:9106/metrics
  gateway   HTTP  127.0.0.1:7180   (JSON API /api/v1/..., docs/gateway.md)
  nats-server     127.0.0.1:14222  (JetStream domain m132250)   logs data/local/logs/

認証 / authentication: 呼び出しにはトークンが必要です (1日有効、start のたびに再発行)
  export RENKEI_TOKEN_FILE=data/local/token     # 稲城市の市区町村職員 (municipal_staff)
  # 別の役割: build/bin/renkeictl token issue --key-dir data/local/keys --key-id local \\
  #   --audience m132250 --subject coord-01 --role coordinator --jurisdiction 132250

次に試すこと / try next:
  # 事例1: 稲城市でパーキンソン病に強い訪問診療医を探す (市内になければ市外の近い順)
  build/bin/renkeictl resource search -c home_visit_medical -c parkinsons -m 132250
  # 稲城市の資源の空白 / capabilities nobody in or serving Inagi offers
  build/bin/renkeictl resource gaps 132250
  # 名称・カナ・住所の検索 (ひらがな・半角でも可)
  build/bin/renkeictl resource search -t "いなぎ" -m 132250
  # 訪問看護ステーション: 稲城市役所から 5 km 以内
  build/bin/renkeictl resource search -k visiting_nurse_station --near-municipality 132250 --within 5
  # 相談受付 (事例1): ケアマネジャーから、パーキンソン病に強い訪問診療医の相談
  build/bin/renkeictl consultation create --channel phone --source care_manager \\
      --person-name "稲城 太郎" --birth-date 1947-05-15 --care-level care3 --condition neurological \\
      --need parkinsons+home_visit_medical
  build/bin/renkeictl consultation match <相談ID> --expected-version 1
  build/bin/renkeictl consultation digest --from $(date +%Y-%m-01) --to $(date +%F)
  # 地域課題のタネ (同じタグの相談が3件で課題候補になる) と地域課題 (事例2: 看取り)
  build/bin/renkeictl consultation seed <相談ID> --expected-version 2 --theme "終末期に家族が入院を選ぶ" --tag 看取り
  build/bin/renkeictl issue candidates
  build/bin/renkeictl issue create --theme "【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある" --tag tag:看取り
  build/bin/renkeictl issue update <課題ID> --version 1 --target-state "終末期であっても在宅生活を継続できる"
  build/bin/renkeictl issue advance <課題ID> --version 2
  build/bin/renkeictl issue worksheet <課題ID> --format md
  # 研修: スキル枠組み、稲城市の研修を登録して申し込み、カレンダー (.ics) に書き出す
  build/bin/renkeictl training skills
  build/bin/renkeictl training create --title "在宅医療・介護連携 多職種研修会" --audience coordinators,care_managers \\
      --skill peer_support:beginner --session "start=$(date -d '+14 days' +%F) 14:00,end=16:00,venue=稲城市役所 会議室,capacity=30"
  build/bin/renkeictl training list --municipality 132250
  build/bin/renkeictl training register <研修ID> --participant coord-01 --name "稲城 花子" --municipality 132250 --role coordinators
  build/bin/renkeictl training ics --municipality 132250 -f inagi-trainings.ics
  # 指標: 相談からシステムで集計した月別の指標 (相談件数など) と推移
  build/bin/renkeictl indicator list --origin derived
  build/bin/renkeictl indicator series derived.consultations --jurisdiction 132250
  # 出力 (Excel で開ける CSV / FHIR R4)
  build/bin/renkeictl resource export -m 132250 -f inagi.csv
  build/bin/renkeictl resource capabilities

停止 / stop:  tools/run-local.sh stop
MSG
}

start() {
  if running renkei-directory && running renkei-intake && running renkei-issues &&
     running renkei-training && running renkei-indicators && running renkei-network &&
     running renkei-gateway &&
     running nats-server; then
    echo "already running"; status; next_steps; return
  fi
  stop >/dev/null 2>&1 || true
  if [[ "${RENKEI_SKIP_BUILD:-}" != 1 ]]; then
    bash tools/setup.sh
    echo "== build (first time: a few minutes on 2 cores)"
    bash tools/build.sh "${services[@]}" renkei-gateway renkeictl
    bash tools/console-build.sh
  fi
  local data; data=$(reference_data)
  for port in 14222 7101 9101 7102 9102 7103 9103 7104 9104 7105 9105 7180; do
    if port_busy "$port"; then echo "error: port $port is in use; stop what uses it first" >&2; exit 1; fi
  done
  mkdir -p "$pids" "$logs" "$state/nats"

  # The instance's token signing key (once), and a day's token for the local municipal staff:
  # renkeictl reads it from RENKEI_TOKEN_FILE.
  if [[ ! -f $state/keys/local.key ]]; then
    "$ctl" token keygen --key-dir "$state/keys" --key-id local >/dev/null
  fi
  "$ctl" token issue --key-dir "$state/keys" --key-id local --audience m132250 \
    --subject local-staff --role municipal_staff --jurisdiction 132250 --ttl 86400 >"$state/token"
  chmod 600 "$state/token"
  export RENKEI_TOKEN_FILE="$state/token"

  # The console's demo accounts (once): a municipal staff member who can use every screen and a
  # coordinator, with one random password kept in data/local/demo-password.
  if [[ ! -f $state/demo-password ]]; then
    (umask 077; head -c 12 /dev/urandom | base64 | tr -d '/+=' >"$state/demo-password")
    "$ctl" account add --accounts-file "$state/accounts.json" --login inagi-demo \
      --role municipal_staff --jurisdiction 132250 --display-name "稲城市 職員 (デモ)" \
      --password-file "$state/demo-password" >/dev/null
    "$ctl" account add --accounts-file "$state/accounts.json" --login inagi-coord \
      --role coordinator --jurisdiction 132250 --display-name "稲城市 コーディネーター (デモ)" \
      --password-file "$state/demo-password" >/dev/null
  fi

  echo "== start nats-server (JetStream)"
  "$nats_bin" -c deploy/nats/local.conf -sd "$state/nats" >>"$logs/nats-server.log" 2>&1 &
  echo $! >"$pids/nats-server"
  for s in "${services[@]}"; do
    echo "== start $s"
    "$bin/$s" --config deploy/local/inagi.json >>"$logs/${s#renkei-}.log" 2>&1 &
    echo $! >"$pids/$s"
  done
  for _ in $(seq 1 150); do
    if "$ctl" --timeout 1 resource capabilities >/dev/null 2>&1 &&
       "$ctl" --timeout 1 consultation list >/dev/null 2>&1 &&
       "$ctl" --timeout 1 issue list >/dev/null 2>&1 &&
       "$ctl" --timeout 1 training list >/dev/null 2>&1 &&
       "$ctl" --timeout 1 indicator list >/dev/null 2>&1; then break; fi
    for s in "${services[@]}"; do
      if ! running "$s"; then echo "$s failed to start:" >&2; tail -5 "$logs/${s#renkei-}.log" >&2; exit 1; fi
    done
    sleep 0.2
  done

  echo "== start renkei-gateway (console ${console_url})"
  "$bin/renkei-gateway" --config deploy/local/inagi.json >>"$logs/gateway.log" 2>&1 &
  echo $! >"$pids/renkei-gateway"
  for _ in $(seq 1 50); do
    port_busy 7180 && break
    if ! running renkei-gateway; then echo "renkei-gateway failed to start:" >&2; tail -5 "$logs/gateway.log" >&2; exit 1; fi
    sleep 0.1
  done

  echo "== import the real public data (${data})"
  echo "   re-importing the same files changes nothing; rows with errors are listed and skipped"
  local files=("$data"/mhlw-kaigo-opendata/jigyosho_*.csv "$data/visiting_nursing_stations.csv" "$data/medical_institutions_ika.csv")
  for f in "${files[@]}"; do
    set +e
    "$ctl" resource import --allow-partial "$f" >"$logs/import-$(basename "$f").txt" 2>&1
    rc=$?
    set -e
    if [[ $rc -ne 0 && $rc -ne 7 ]]; then echo "import of $f failed (exit $rc):" >&2; cat "$logs/import-$(basename "$f").txt" >&2; exit 1; fi
    awk -v f="$(basename "$f")" '/行数|新規|更新|変更なし|不正/ {printf "%s%s", sep, $0; sep=" |"} END {print "   <- " f}' "$logs/import-$(basename "$f").txt" | sed 's/  */ /g'
  done
  next_steps
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
