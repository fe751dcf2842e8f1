#!/usr/bin/env bash
# The Debian package, built and run (docs/packaging.md, "The test"):
#  1. cpack builds renkei_<version>_amd64.deb from the build directory (the binaries as built:
#     cpack builds nothing, see tools/cmake/Package.cmake);
#  2. dpkg-deb --info/--contents: control fields, Depends, maintainer scripts, conffiles, the
#     units, binaries, private library and console;
#  3. the units: `systemd-analyze verify` on every one (the package's unit files and binaries,
#     in a root made of the unpacked package) and the restart and hardening settings they must carry;
#     each service's ExecCondition= run on the packaged instance files of every level: it passes
#     exactly where the file has that service's section;
#  4. `dpkg -x` into a temporary root: the unpacked binaries run with no LD_LIBRARY_PATH
#     (RUNPATH $ORIGIN/../lib/renkei); nats-server and renkei-directory and renkei-intake run
#     from that layout with the units' own ExecStart lines (paths under the root), keys and
#     nats.conf made by the unpacked renkeictl, and a consultation is created and read back;
#     renkei-intake killed with SIGKILL and started again by its ExecStart serves the same
#     consultation;
#  5. with a real systemd (root; PID 1 of its own PID namespace in a throwaway overlay of this
#     machine, docs/packaging.md): `dpkg -i` (postinst: user, directories), the whole instance
#     through `systemctl start renkei@<id>.target` under the units' hardening, a consultation,
#     SIGKILL of renkei-intake -> restarted by Restart=on-failure with its data, the package
#     installed again as an upgrade (services restarted in postinst's order, conffile and keys
#     kept), exit status 2 (bad instance file) not restarted, the services a prefecture's and the
#     nation's instance files have no section for skipped (inactive, not failed), the target
#     stopped, `dpkg --purge` keeping the instances' data, keys and configuration (the
#     consultation served again after a new install), the deletion command it prints.
# Step 5 runs where this script is root and PID 1 is not systemd (CI, the project's machines);
# elsewhere it says SKIPPED and why and the script exits 77, which CTest reports as skipped
# (SKIP_RETURN_CODE). RENKEI_PACKAGE_SYSTEMD=0 skips it on purpose.
#
#   tests/package/package_test.sh <build dir> <source dir>
set -euo pipefail

build=$(cd "${1:?usage: package_test.sh <build dir> <source dir>}" && pwd)
src=$(cd "${2:?usage: package_test.sh <build dir> <source dir>}" && pwd)
services=(directory intake issues training indicators network gateway)
instance=t132250  # the instance's name (%i): /etc/renkei/t132250/

t0=$(date +%s%N)
step() {
  local ms=$((($(date +%s%N) - t0) / 1000000))
  printf '== [%3d.%01ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

# A deadline-bound wait: wait_for <seconds> <description> <command...>
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || fail "$what: not within ${limit}s"
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# Step 5 runs this script again as `__boot`: inside new mount, PID and cgroup namespaces it lays
# an overlay over / (changes go to a tmpfs and vanish with the namespace), mounts /proc, /sys,
# a cgroup2 hierarchy, /run and /tmp, and makes systemd PID 1 there (in the root's chroot).
if [[ "${3:-}" == __boot ]]; then
  work=$4
  mount -t tmpfs -o mode=0755 tmpfs "$work/layers"
  mkdir -p "$work/layers/upper" "$work/layers/work" "$work/root"
  mount -t overlay overlay \
    -o "lowerdir=/,upperdir=$work/layers/upper,workdir=$work/layers/work" "$work/root"
  r=$work/root
  mount -t proc proc "$r/proc"
  mount --rbind /dev "$r/dev"
  mount -t sysfs sysfs "$r/sys"
  mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup"
  mount -t tmpfs -o mode=0755 tmpfs "$r/run"
  mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
  mkdir -p "$r/run/systemd/system" "$r/tmp/renkei-package"
  # The work directory (the .deb, the instance files) at a fixed place inside.
  mount --bind "$work/in" "$r/tmp/renkei-package"
  # Only what the test asks for: journald (the units' output) and a target without the
  # machine's own services.
  cat >"$r/run/systemd/system/renkei-test.target" <<'UNIT'
[Unit]
Description=renkei package test
DefaultDependencies=no
Wants=systemd-journald.socket systemd-journald.service
UNIT
  exec chroot "$r" /usr/bin/env -i container=renkei-package-test \
    /lib/systemd/systemd --system --unit=renkei-test.target --log-level=warning
fi

tmp=$(mktemp -d /tmp/renkei-package-test.XXXXXX)
pids=()
boot_pid=
pid1=
cgroup=
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ -n "$pid1" ]]; then
    if ((rc != 0 && rc != 77)); then
      echo "--- systemd: the units and their journal"
      in_ns systemctl --no-pager list-units --all 'renkei*' || true
      in_ns journalctl --no-pager -n 80 -o short-monotonic -u 'renkei*' || true
    fi
    # systemd is PID 1 of its namespace: SIGKILL ends every process in it, and the mounts go
    # with the namespace.
    kill -9 "$pid1" 2>/dev/null || true
  fi
  if [[ -n "$boot_pid" ]]; then
    kill -9 "$boot_pid" 2>/dev/null || true
    wait "$boot_pid" 2>/dev/null || true
  fi
  if [[ -n "$cgroup" && -d "$cgroup" ]]; then
    for _ in $(seq 1 50); do
      find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [[ -d "$cgroup" ]] || break
      sleep 0.1
    done
  fi
  if ((rc != 0 && rc != 77)); then
    for f in "$tmp"/logs/*.log; do
      [[ -f "$f" ]] && { echo "--- $f (last lines)"; tail -15 "$f"; }
    done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
mkdir -p "$tmp/logs"

free_ports() {  # free_ports N: N distinct free loopback ports
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# instance_json <data root> <key dir> <accounts file> <console dir> <ports: nats + 7 gRPC + 7 metrics + http>
instance_json() {
  local data=$1 keys=$2 accounts=$3 console=$4; shift 4
  local p=("$@")
  cat <<JSON
{
  "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250", "name": "稲城市"},
  "nats": {"url": "nats://127.0.0.1:${p[0]}"},
  "data_root": "$data",
  "security": {"key_dir": "$keys", "service_key_id": "services"},
  "directory": {"server": {"listen_address": "127.0.0.1:${p[1]}", "metrics_address": "127.0.0.1:${p[8]}"}},
  "intake": {"server": {"listen_address": "127.0.0.1:${p[2]}", "metrics_address": "127.0.0.1:${p[9]}"},
             "directory_address": "127.0.0.1:${p[1]}", "network_address": "127.0.0.1:${p[6]}"},
  "issues": {"server": {"listen_address": "127.0.0.1:${p[3]}", "metrics_address": "127.0.0.1:${p[10]}"}},
  "training": {"server": {"listen_address": "127.0.0.1:${p[4]}", "metrics_address": "127.0.0.1:${p[11]}"}},
  "indicators": {"server": {"listen_address": "127.0.0.1:${p[5]}", "metrics_address": "127.0.0.1:${p[12]}"}},
  "network": {"server": {"listen_address": "127.0.0.1:${p[6]}", "metrics_address": "127.0.0.1:${p[13]}"},
              "issues_address": "127.0.0.1:${p[3]}", "indicators_address": "127.0.0.1:${p[5]}"},
  "gateway": {"listen_address": "127.0.0.1:${p[15]}", "static_dir": "$console",
              "accounts_file": "$accounts"}
}
JSON
}

# The ExecStart line of a unit file, for instance %i.
exec_start() { sed -n 's/^ExecStart=//p' "$1" | sed "s/%i/$2/g"; }

# ---------------------------------------------------------------------------------------------
step "1. cpack (DEB) from $build"
for b in "${services[@]/#/renkei-}" renkeictl; do
  [[ -x "$build/bin/$b" ]] || fail "$build/bin/$b is not built (cmake --build build --target renkei_package_files)"
done
[[ -f "$src/console/dist/index.html" ]] || fail "console/dist is not built (tools/console-build.sh)"
mkdir -p "$tmp/pkg"
c0=$SECONDS
(cd "$build" && cpack -G DEB -B "$tmp/pkg" --config CPackConfig.cmake) >"$tmp/logs/cpack.log" 2>&1 ||
  { cat "$tmp/logs/cpack.log"; fail "cpack"; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
deb=$tmp/pkg/renkei_${version}_$(dpkg --print-architecture).deb
[[ -f "$deb" ]] || fail "no $deb: $(ls "$tmp/pkg")"
echo "   $(basename "$deb"): $(($(stat -c %s "$deb") / 1024)) KiB in $((SECONDS - c0)) s"

# ---------------------------------------------------------------------------------------------
step "2. dpkg-deb --info / --contents"
info=$(dpkg-deb --info "$deb")
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == renkei ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), project: $version"
depends=$(field Depends)
for d in nats-server adduser libgrpc++ librocksdb libnats libsodium libprotobuf; do
  grep -q "\b$d" <<<"$depends" || fail "Depends lacks $d: $depends"
done
for s in postinst prerm postrm conffiles; do
  grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\*? *$s\b" <<<"$info" || fail "control archive lacks $s"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$tmp/conffiles"
for c in /etc/renkei/example/instance.json /etc/renkei/example/nats.conf; do
  grep -qx "$c" "$tmp/conffiles" || fail "conffiles lacks $c"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst >"$tmp/postinst"
# The order postinst restarts the services in on an upgrade (step 5 watches it).
read -r -a restart_order <<<"$(sed -n 's/^RENKEI_SERVICES="\(.*\)"$/\1/p' "$tmp/postinst")"
[[ $(printf '%s\n' "${restart_order[@]}" | sort | tr '\n' ' ') == \
   $(printf '%s\n' "${services[@]}" | sort | tr '\n' ' ') ]] ||
  fail "postinst's RENKEI_SERVICES is not the seven services: ${restart_order[*]}"
dpkg-deb --contents "$deb" | awk '{print $1, $6}' >"$tmp/contents"
expect=(
  "-rwxr-xr-x ./usr/bin/renkeictl"
  "-rw-r--r-- ./usr/lib/renkei/librenkei_proto.so"
  "-rw-r--r-- ./lib/systemd/system/renkei@.target"
  "-rw-r--r-- ./lib/systemd/system/renkei-nats@.service"
  "-rw-r--r-- ./etc/renkei/example/instance.json"
  "-rw-r--r-- ./etc/renkei/example/nats.conf"
  "-rw-r--r-- ./usr/share/renkei/console/index.html"
  "-rw-r--r-- ./usr/share/doc/renkei/packaging.md"
)
for s in "${services[@]}"; do
  expect+=("-rwxr-xr-x ./usr/sbin/renkei-$s" "-rw-r--r-- ./lib/systemd/system/renkei-$s@.service")
done
for e in "${expect[@]}"; do grep -qxF -- "$e" "$tmp/contents" || fail "package lacks: $e"; done
! grep -q ' ./usr/local\| ./build\|_test$' "$tmp/contents" || fail "package holds build or test files"
echo "   $(wc -l <"$tmp/contents") entries; Depends: $depends"

# ---------------------------------------------------------------------------------------------
step "3. the units: systemd-analyze verify, restart and hardening settings"
root=$tmp/root
dpkg -x "$deb" "$root"
units=("$root"/lib/systemd/system/renkei*)
((${#units[@]} == 9)) || fail "expected 9 unit files, found ${#units[@]}"
# verify loads the units and the commands they run from --root: the package's tree, with the
# unit files systemd itself ships (sysinit.target, ...), the nats-server the package depends
# on and the /bin/sh of the ExecCondition= lines, as an installed system has them.
vroot=$tmp/verify-root
cp -a "$root" "$vroot"
cp -an /lib/systemd/system/. "$vroot/lib/systemd/system/"
cp /usr/sbin/nats-server "$vroot/usr/sbin/nats-server"
mkdir -p "$vroot/bin"
cp /bin/sh "$vroot/bin/sh"
for u in "${units[@]}"; do
  name=$(basename "$u")
  name=${name/@./@$instance.}
  out=$(systemd-analyze verify --root="$vroot" "$name" 2>&1) || fail "systemd-analyze verify $name: $out"
  [[ -z "$out" ]] || fail "systemd-analyze verify $name warns: $out"
done
echo "   systemd-analyze verify: ${#units[@]} units clean ($(systemd-analyze --version | head -1))"
# systemd's own measure of the hardening: exposure 0 (locked down) .. 10; the units stay <= 1.5.
exposures=()
for u in "$root"/lib/systemd/system/renkei-*@.service; do
  name=$(basename "$u")
  name=${name/@./@$instance.}
  out=$(systemd-analyze security --offline=true --root="$vroot" --threshold=15 "$name" 2>&1) ||
    fail "systemd-analyze security $name: exposure above 1.5: $(tail -1 <<<"$out")"
  exposures+=("${name%%@*}=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' <<<"$out")")
done
echo "   systemd-analyze security (exposure, 10 = none): ${exposures[*]}"
for u in "$root"/lib/systemd/system/renkei-*@.service; do
  for setting in Restart=on-failure RestartSec=2s User=renkei Group=renkei NoNewPrivileges=yes \
    CapabilityBoundingSet= ProtectSystem=strict ReadWritePaths=/var/lib/renkei ProtectHome=yes \
    PrivateTmp=yes "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
    SystemCallFilter=@system-service LimitNOFILE=65536 'PartOf=renkei@%i.target'; do
    grep -qxF "$setting" "$u" || fail "$(basename "$u") lacks $setting"
  done
  grep -qE '^TimeoutStopSec=[0-9]+s$' "$u" || fail "$(basename "$u") lacks TimeoutStopSec"
  case $(basename "$u") in
    renkei-nats@.service) ;;
    *)
      grep -qxF RestartPreventExitStatus=2 "$u" || fail "$(basename "$u") lacks RestartPreventExitStatus=2"
      grep -qxF 'Requires=renkei-nats@%i.service' "$u" || fail "$(basename "$u") lacks Requires= nats"
      grep -q '^After=.*renkei-nats@%i.service' "$u" || fail "$(basename "$u") lacks After= nats"
      # The services finish calls for 5 s after SIGTERM (common::ServiceHost::Shutdown).
      stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$u")
      ((stop > 5)) || fail "$(basename "$u"): TimeoutStopSec=${stop}s is not above the 5 s drain"
      ;;
  esac
done
echo "   Restart=on-failure RestartSec=2s RestartPreventExitStatus=2, hardening: in every unit"
# postinst restarts each service after every one its unit is ordered after (the services it
# calls).
for s in "${services[@]}"; do
  pos=$(printf '%s\n' "${restart_order[@]}" | grep -nx "$s" | cut -d: -f1)
  read -r -a deps <<<"$(sed -n 's/^After=//p' "$root/lib/systemd/system/renkei-$s@.service" |
    grep -o 'renkei-[a-z]*@' | sed 's/^renkei-//; s/@$//' | tr '\n' ' ')"
  for dep in "${deps[@]}"; do
    [[ "$dep" == nats ]] && continue
    dpos=$(printf '%s\n' "${restart_order[@]}" | grep -nx "$dep" | cut -d: -f1)
    ((dpos < pos)) || fail "postinst restarts renkei-$s before renkei-$dep, which its unit is After="
  done
done
echo "   postinst's restart order (${restart_order[*]}) follows the units' After="
# Each service's ExecCondition=, run as systemd runs it (its $$ a $, its \" a "), on the instance
# files the package ships for each level: it passes exactly where the file has a top-level
# section of that name (a prefecture: no intake; the nation: no directory, intake, issues; the
# federation examples: no gateway), and on a file it cannot read (the service reports that).
cond_files=("$root"/usr/share/doc/renkei/examples/federation/*.json "$root/etc/renkei/example/instance.json")
((${#cond_files[@]} == 4)) || fail "expected 3 federation examples and the example: ${cond_files[*]}"
skipped=()
for s in "${services[@]}"; do
  u=$root/lib/systemd/system/renkei-$s@.service
  cond=$(sed -n 's/^ExecCondition=//p' "$u")
  [[ "$cond" == *"'\\\"$s\\\"[[:space:]]*:'"* ]] || fail "renkei-$s@.service: ExecCondition= for its section: $cond"
  for f in "${cond_files[@]}" "$tmp/no-such-instance.json"; do
    line=${cond//\$\$/\\\$}
    line=${line//\/etc\/renkei\/%i\/instance.json/$f}
    if eval "$line"; then got=run; else got=skip; fi
    want=run
    if [[ -f "$f" ]]; then
      python3 -c 'import json, sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1])) else 1)' \
        "$f" "$s" || want=skip
    fi
    [[ "$got" == "$want" ]] || fail "renkei-$s@.service's ExecCondition on $f: $got, want $want"
    if [[ "$got" == skip ]]; then skipped+=("$s:$(basename "$f" .json)"); fi
  done
done
echo "   ExecCondition= on ${#cond_files[@]} packaged instance files and a missing one: skipped" \
  "exactly where the section is absent (${skipped[*]})"

# ---------------------------------------------------------------------------------------------
step "4. dpkg -x: an instance from the unpacked layout"
for b in "$root"/usr/sbin/renkei-* "$root/usr/bin/renkeictl"; do
  runpath=$(readelf -d "$b" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
  # shellcheck disable=SC2016  # the literal $ORIGIN
  [[ "$runpath" == '$ORIGIN/../lib/renkei' ]] ||
    fail "$b: RUNPATH is not \$ORIGIN/../lib/renkei"
  ! file "$b" | grep -q 'not stripped' || fail "$b is not stripped"
done
ctl() { env -i PATH=/usr/bin:/bin "$root/usr/bin/renkeictl" "$@"; }
ctl --help >/dev/null || fail "the unpacked renkeictl does not run without LD_LIBRARY_PATH"
# The example nats.conf is the one renkeictl renders from the example instance file.
ctl federation nats-config --config "$root/etc/renkei/example/instance.json" |
  diff - "$root/etc/renkei/example/nats.conf" >&2 ||
  fail "etc/renkei/example/nats.conf differs from renkeictl federation nats-config's"

read -r -a ports <<<"$(free_ports 16)"
idir=$root/etc/renkei/$instance
mkdir -p "$idir" "$root/var/lib/renkei/$instance"
ctl token keygen --key-dir "$root/etc/renkei/keys/$instance" --key-id services >/dev/null
instance_json "$root/var/lib/renkei/$instance/data" "$root/etc/renkei/keys/$instance" \
  "$root/var/lib/renkei/$instance/accounts.json" "$root/usr/share/renkei/console" \
  "${ports[@]}" >"$idir/instance.json"
# nats.conf as an operator makes it, from the instance file (store under data_root).
ctl federation nats-config --config "$idir/instance.json" >"$idir/nats.conf"
grep -q "store_dir: \"$root/var/lib/renkei/$instance/data/nats\"" "$idir/nats.conf" ||
  fail "nats.conf: $(cat "$idir/nats.conf")"
ctl token issue --key-dir "$root/etc/renkei/keys/$instance" --key-id services --audience m132250 \
  --subject package-test --role municipal_staff --jurisdiction 132250 --ttl 3600 >"$tmp/token"
export RENKEI_TOKEN_FILE=$tmp/token RENKEI_DIRECTORY=127.0.0.1:${ports[1]} \
  RENKEI_INTAKE=127.0.0.1:${ports[2]}
ctlenv() {
  env -i PATH=/usr/bin:/bin RENKEI_TOKEN_FILE="$RENKEI_TOKEN_FILE" \
    RENKEI_DIRECTORY="$RENKEI_DIRECTORY" RENKEI_INTAKE="$RENKEI_INTAKE" \
    "$root/usr/bin/renkeictl" --timeout 2 "$@"
}

# Each process exactly as its unit starts it, the unit's absolute paths taken under the root.
start_unit() {  # start_unit <unit> -> pid in $started
  local line
  line=$(exec_start "$root/lib/systemd/system/$1" "$instance" | sed "s# /# $root/#g; s#^/#$root/#")
  read -r -a argv <<<"$line"
  if [[ "$1" == renkei-nats@.service ]]; then argv[0]=/usr/sbin/nats-server; fi  # not ours
  (cd "$root/var/lib/renkei" && exec env -i PATH=/usr/bin:/bin "${argv[@]}") \
    >>"$tmp/logs/${1%@.service}.log" 2>&1 &
  started=$!
  pids+=("$started")
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_unit renkei-nats@.service
wait_for 15 "nats-server on ${ports[0]}" port_open "${ports[0]}"
start_unit renkei-directory@.service
start_unit renkei-intake@.service
intake_pid=$started
wait_for 30 "renkei-intake serving" ctlenv consultation list
wait_for 30 "renkei-directory serving" ctlenv resource capabilities
created=$(ctlenv consultation create --channel phone --source care_manager \
  --person-name "稲城 太郎" --birth-date 1947-05-15 --care-level care3 --condition neurological \
  --need parkinsons+home_visit_medical)
id=$(grep -o 'con_[A-Za-z0-9_-]*' <<<"$created" | head -1)
[[ -n "$id" ]] || fail "consultation create printed no id: $created"
ctlenv consultation get "$id" | grep -q "稲城 太郎" || fail "consultation $id not read back"
echo "   nats-server, renkei-directory, renkei-intake from $root; consultation $id created and read"

kill -9 "$intake_pid"
wait "$intake_pid" 2>/dev/null || true
! ctlenv consultation get "$id" >/dev/null 2>&1 || fail "renkei-intake still answers after SIGKILL"
start_unit renkei-intake@.service
wait_for 30 "renkei-intake serving again" ctlenv consultation list
ctlenv consultation get "$id" | grep -q "稲城 太郎" || fail "consultation $id lost after SIGKILL"
echo "   SIGKILL renkei-intake, its unit's ExecStart again: serving, consultation $id intact"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

# ---------------------------------------------------------------------------------------------
skip_systemd=
if [[ "${RENKEI_PACKAGE_SYSTEMD:-1}" == 0 ]]; then
  skip_systemd="RENKEI_PACKAGE_SYSTEMD=0"
elif [[ $(id -u) -ne 0 ]]; then
  skip_systemd="not root (namespaces, mounts and dpkg -i need root)"
elif [[ $(cat /proc/1/comm) == systemd ]]; then
  skip_systemd="PID 1 is systemd: run the units on this machine itself (docs/packaging.md)"
fi
if [[ -n "$skip_systemd" ]]; then
  step "5. SKIPPED systemd: $skip_systemd"
  step "done without step 5: exit 77, reported as skipped (steps 1-4 passed)"
  exit 77
fi

step "5. systemd as PID 1 of a namespace: dpkg -i, the instance's target, SIGKILL -> restart"
work=$tmp/ns
mkdir -p "$work/layers" "$work/root" "$work/in"
cp "$deb" "$work/in/renkei.deb"
# Its own cgroup2 subtree, which becomes the namespace's root: systemd manages only that.
cg2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[[ -n "$cg2" ]] || fail "no cgroup2 hierarchy mounted"
cgroup=$cg2/renkei-package-test-$$
mkdir "$cgroup"
(
  echo "$BASHPID" >"$cgroup/cgroup.procs"
  exec unshare --mount --pid --fork --kill-child --cgroup --propagation private \
    bash "$0" "$build" "$src" __boot "$work"
) >"$tmp/logs/systemd.log" 2>&1 &
boot_pid=$!
sys_pid() { pgrep -P "$boot_pid" -x systemd; }
wait_for 20 "systemd started" sys_pid
pid1=$(sys_pid | head -1)
in_ns() { nsenter -t "$pid1" -m -p -r -w -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
sd_running() { [[ $(in_ns systemctl is-system-running 2>/dev/null) =~ running|degraded ]]; }
wait_for 30 "systemd up" sd_running

in_ns dpkg -i /tmp/renkei-package/renkei.deb >"$tmp/logs/dpkg-i.log" 2>&1 ||
  { cat "$tmp/logs/dpkg-i.log"; fail "dpkg -i"; }
in_ns getent passwd renkei | grep -q ':/var/lib/renkei:/usr/sbin/nologin$' ||
  fail "postinst made no system user renkei"
[[ $(in_ns stat -c '%U:%G %a' /var/lib/renkei) == "renkei:renkei 750" ]] ||
  fail "/var/lib/renkei: $(in_ns stat -c '%U:%G %a' /var/lib/renkei)"
[[ $(in_ns stat -c '%U:%G %a' /etc/renkei/keys) == "renkei:renkei 700" ]] ||
  fail "/etc/renkei/keys: $(in_ns stat -c '%U:%G %a' /etc/renkei/keys)"
echo "   dpkg -i: user renkei, /var/lib/renkei renkei:renkei 750, /etc/renkei/keys renkei:renkei 700"

# The instance as docs/packaging.md sets one up: files made by the services' user.
read -r -a ports <<<"$(free_ports 16)"
instance_json "/var/lib/renkei/$instance/data" "/etc/renkei/keys/$instance" \
  "/var/lib/renkei/$instance/accounts.json" /usr/share/renkei/console "${ports[@]}" \
  >"$work/in/instance.json"
as_renkei() { in_ns runuser -u renkei -- "$@"; }
in_ns install -d -m 0750 -o root -g renkei "/etc/renkei/$instance"
in_ns install -m 0640 -o root -g renkei /tmp/renkei-package/instance.json "/etc/renkei/$instance/"
in_ns install -d -m 0750 -o renkei -g renkei "/var/lib/renkei/$instance"
as_renkei renkeictl token keygen --key-dir "/etc/renkei/keys/$instance" --key-id services >/dev/null
in_ns sh -c "renkeictl federation nats-config --config /etc/renkei/$instance/instance.json \
  >/etc/renkei/$instance/nats.conf"
as_renkei renkeictl token issue --key-dir "/etc/renkei/keys/$instance" --key-id services \
  --audience m132250 --subject package-test --role municipal_staff --jurisdiction 132250 \
  --ttl 3600 >"$tmp/token"
echo pw-package-test-1 >"$work/in/password"
as_renkei renkeictl account add --accounts-file "/var/lib/renkei/$instance/accounts.json" \
  --login package-test --role municipal_staff --jurisdiction 132250 \
  --display-name "テスト 職員" --password-file /tmp/renkei-package/password >/dev/null

in_ns systemd-analyze verify "renkei@$instance.target" "renkei-intake@$instance.service" \
  "renkei-nats@$instance.service" || fail "systemd-analyze verify in the installed system"
s0=$SECONDS
in_ns systemctl start "renkei@$instance.target"
all_units() {  # all_units <state>: every unit of the instance's target is in it
  for s in nats "${services[@]}"; do
    [[ $(in_ns systemctl is-active "renkei-$s@$instance.service") == "$1" ]] || return 1
  done
}
wait_for 30 "every unit of renkei@$instance.target active" all_units active
export RENKEI_DIRECTORY=127.0.0.1:${ports[1]} RENKEI_INTAKE=127.0.0.1:${ports[2]}
ctlenv() {  # the installed renkeictl, inside
  in_ns env RENKEI_TOKEN_FILE=/tmp/renkei-package/token RENKEI_DIRECTORY="$RENKEI_DIRECTORY" \
    RENKEI_INTAKE="$RENKEI_INTAKE" renkeictl --timeout 2 "$@"
}
cp "$tmp/token" "$work/in/token"
wait_for 30 "renkei-intake serving under systemd" ctlenv consultation list
wait_for 30 "renkei-directory serving under systemd" ctlenv resource capabilities
wait_for 30 "the gateway serving the console" \
  curl -sf -o /dev/null "http://127.0.0.1:${ports[15]}/index.html"
echo "   renkei@$instance.target: nats + 7 services active, serving in $((SECONDS - s0)) s"
created=$(ctlenv consultation create --channel phone --source care_manager \
  --person-name "稲城 花子" --birth-date 1944-02-01 --care-level care2 --condition dementia \
  --need home_visit_medical)
id=$(grep -o 'con_[A-Za-z0-9_-]*' <<<"$created" | head -1)
[[ -n "$id" ]] || fail "consultation create printed no id: $created"
ctlenv consultation get "$id" | grep -q "稲城 花子" || fail "consultation $id not read back"
main_pid() { in_ns systemctl show -p MainPID --value "renkei-${1:-intake}@$instance.service"; }
n_restarts() { in_ns systemctl show -p NRestarts --value "renkei-intake@$instance.service"; }
old=$(main_pid)
# The hardening as the kernel applies it to the running service.
proc_status=$(in_ns cat "/proc/$old/status")
[[ $(in_ns ps -o user= -p "$old") == renkei ]] || fail "renkei-intake does not run as renkei"
grep -qx $'NoNewPrivs:\t1' <<<"$proc_status" || fail "renkei-intake: no NoNewPrivs"
grep -qx $'CapBnd:\t0000000000000000' <<<"$proc_status" || fail "renkei-intake: capabilities left"
grep -qx $'Seccomp:\t2' <<<"$proc_status" || fail "renkei-intake: no seccomp filter"
echo "   renkei-intake runs as renkei, NoNewPrivs 1, no capabilities, seccomp filter on"
in_ns kill -9 "$old"
k0=$SECONDS
restarted() { local p; p=$(main_pid); [[ "$p" != 0 && "$p" != "$old" && $(n_restarts) == 1 ]]; }
wait_for 20 "renkei-intake restarted by its unit after SIGKILL" restarted
wait_for 30 "renkei-intake serving after the restart" ctlenv consultation list
ctlenv consultation get "$id" | grep -q "稲城 花子" || fail "consultation $id lost after the restart"
echo "   kill -9 renkei-intake (pid $old): restarted by systemd as pid $(main_pid)," \
  "NRestarts=$(n_restarts), serving with $id in $((SECONDS - k0)) s"

# An upgrade (the same package again: dpkg configures it with the version before): postinst
# restarts the running services in order, keeps an edited conffile and the instance's files.
echo '{"edited": "by the operator"}' >"$work/in/edited.json"
in_ns cp /tmp/renkei-package/edited.json /etc/renkei/example/instance.json
before=()
for s in "${services[@]}"; do before+=("$(main_pid "$s")"); done
nats_before=$(main_pid nats)
u0=$SECONDS
in_ns env DEBIAN_FRONTEND=noninteractive dpkg -i /tmp/renkei-package/renkei.deb \
  >"$tmp/logs/dpkg-upgrade.log" 2>&1 || { cat "$tmp/logs/dpkg-upgrade.log"; fail "dpkg -i (upgrade)"; }
for i in "${!services[@]}"; do
  now=$(main_pid "${services[$i]}")
  [[ "$now" != 0 && "$now" != "${before[$i]}" ]] ||
    fail "renkei-${services[$i]} not restarted by the upgrade (pid ${before[$i]} -> $now)"
done
[[ $(main_pid nats) == "$nats_before" ]] || fail "the upgrade restarted nats-server"
previous=0
for s in "${restart_order[@]}"; do  # postinst's order: each after the ones it calls
  at=$(in_ns systemctl show -p ActiveEnterTimestampMonotonic --value "renkei-$s@$instance.service")
  ((at > previous)) || fail "the upgrade restarted renkei-$s before the service postinst lists before it"
  previous=$at
done
in_ns grep -q '"edited"' /etc/renkei/example/instance.json || fail "the upgrade replaced an edited conffile"
in_ns test -f "/etc/renkei/keys/$instance/services.key" || fail "the upgrade lost the instance's keys"
wait_for 30 "renkei-intake serving after the upgrade" ctlenv consultation list
ctlenv consultation get "$id" | grep -q "稲城 花子" || fail "consultation $id lost in the upgrade"
echo "   dpkg -i again (upgrade): 7 services restarted in postinst's order, nats-server not, edited conffile" \
  "and keys kept, $id served, in $((SECONDS - u0)) s"

# Exit status 2 (a bad instance file) is not restarted: RestartPreventExitStatus=2. The file has
# a training section, so the unit's ExecCondition= lets the service run and refuse it.
in_ns install -d -m 0750 -o root -g renkei /etc/renkei/bad
echo '{"training": {"server": {}}, "unknown_key": 1}' >"$work/in/bad.json"
in_ns install -m 0640 -o root -g renkei /tmp/renkei-package/bad.json /etc/renkei/bad/instance.json
# Its nats-server starts (the services' units require it), with no JetStream.
read -r -a bad_port <<<"$(free_ports 1)"
echo "listen: 127.0.0.1:${bad_port[0]}" >"$work/in/bad-nats.conf"
in_ns install -m 0640 -o root -g renkei /tmp/renkei-package/bad-nats.conf /etc/renkei/bad/nats.conf
in_ns systemctl start renkei-training@bad.service || true
bad_failed() { [[ $(in_ns systemctl is-active renkei-training@bad.service) == failed ]]; }
wait_for 10 "renkei-training@bad failed" bad_failed
sleep 3  # RestartSec=2s: a restart would have happened by now
[[ $(in_ns systemctl show -p NRestarts --value renkei-training@bad.service) == 0 &&
   $(in_ns systemctl show -p ExecMainStatus --value renkei-training@bad.service) == 2 ]] ||
  fail "renkei-training@bad: $(in_ns systemctl show -p NRestarts -p ExecMainStatus renkei-training@bad.service)"
in_ns systemctl stop renkei-nats@bad.service || true
echo "   a bad instance file: exit 2, failed, NRestarts=0"

# A service whose section the instance file lacks is skipped by its ExecCondition=: inactive,
# Result=exec-condition, never failed nor restarted. The packaged production examples: a
# prefecture's (no intake, no gateway) and the nation's (no directory, intake, issues).
skipped=()
for spec in "p13 intake gateway" "national directory issues"; do
  read -r -a words <<<"$spec"
  i=${words[0]}
  in_ns install -d -m 0750 -o root -g renkei "/etc/renkei/$i"
  in_ns install -m 0640 -o root -g renkei "/usr/share/doc/renkei/examples/federation/$i.json" \
    "/etc/renkei/$i/instance.json"
  read -r -a skip_port <<<"$(free_ports 1)"
  echo "listen: 127.0.0.1:${skip_port[0]}" >"$work/in/$i-nats.conf"
  in_ns install -m 0640 -o root -g renkei "/tmp/renkei-package/$i-nats.conf" "/etc/renkei/$i/nats.conf"
  for s in "${words[@]:1}"; do
    # systemctl start waits for the start job: done when the condition has been run.
    in_ns systemctl start "renkei-$s@$i.service" || fail "systemctl start renkei-$s@$i"
    state=
    for prop in ActiveState Result NRestarts ExecMainPID; do
      state+="$prop=$(in_ns systemctl show -p "$prop" --value "renkei-$s@$i.service") "
    done
    [[ "$state" == "ActiveState=inactive Result=exec-condition NRestarts=0 ExecMainPID=0 " ]] ||
      fail "renkei-$s@$i (no $s section): $state"
    skipped+=("renkei-$s@$i")
  done
  in_ns systemctl stop "renkei-nats@$i.service" || true
done
echo "   no section, no service: ${skipped[*]} inactive, Result=exec-condition, not started"

# Stopping the target stops every unit (PartOf=), the services before their nats-server.
st0=$SECONDS
in_ns systemctl stop "renkei@$instance.target"
wait_for 40 "every unit of renkei@$instance.target stopped" all_units inactive
for s in nats "${services[@]}"; do
  result=$(in_ns systemctl show -p Result --value "renkei-$s@$instance.service")
  [[ "$result" == success ]] || fail "renkei-$s@$instance stopped with Result=$result"
done
echo "   systemctl stop renkei@$instance.target: every unit inactive, Result=success, in $((SECONDS - st0)) s"

# Purge removes the package and its example, never an instance: data, keys and instance files
# stay, and it says where they are and how to delete them.
p0=$SECONDS
in_ns dpkg --purge renkei >"$tmp/logs/dpkg-purge.log" 2>&1 ||
  { cat "$tmp/logs/dpkg-purge.log"; fail "dpkg --purge"; }
! in_ns test -e /usr/sbin/renkei-intake || fail "purge left the binaries"
! in_ns test -e /etc/renkei/example || fail "purge left the example conffiles"
for f in "/var/lib/renkei/$instance/data/intake/CURRENT" "/var/lib/renkei/$instance/accounts.json" \
  "/etc/renkei/keys/$instance/services.key" "/etc/renkei/$instance/instance.json"; do
  in_ns test -f "$f" || fail "purge deleted $f"
done
in_ns getent passwd renkei >/dev/null || fail "purge removed the renkei user, which owns the data kept"
grep -q "purge kept the instances' data" "$tmp/logs/dpkg-purge.log" ||
  fail "purge did not say what it kept: $(cat "$tmp/logs/dpkg-purge.log")"
delete=$(grep -A1 '^Delete them for good' "$tmp/logs/dpkg-purge.log" | tail -1 | sed 's/^ *//')
[[ "$delete" == "rm -rf /var/lib/renkei /etc/renkei && deluser --system renkei"* ]] ||
  fail "purge printed no deletion command: $(cat "$tmp/logs/dpkg-purge.log")"
echo "   dpkg --purge: binaries and example gone; data, keys, instance files and user kept; prints: $delete"
# Installed again, the instance serves what it held before the purge.
in_ns dpkg -i /tmp/renkei-package/renkei.deb >"$tmp/logs/dpkg-reinstall.log" 2>&1 ||
  { cat "$tmp/logs/dpkg-reinstall.log"; fail "dpkg -i after the purge"; }
in_ns systemctl start "renkei-intake@$instance.service"
wait_for 30 "renkei-intake serving after purge and install" ctlenv consultation get "$id"
ctlenv consultation get "$id" | grep -q "稲城 花子" || fail "consultation $id lost by the purge"
in_ns systemctl stop "renkei-intake@$instance.service" "renkei-nats@$instance.service"
# The command purge printed deletes everything; a purge with no instance leaves nothing.
in_ns dpkg --purge renkei >"$tmp/logs/dpkg-purge2.log" 2>&1 ||
  { cat "$tmp/logs/dpkg-purge2.log"; fail "dpkg --purge (second)"; }
in_ns sh -c "$delete" >"$tmp/logs/delete.log" 2>&1 || { cat "$tmp/logs/delete.log"; fail "$delete"; }
if in_ns getent passwd renkei >/dev/null || in_ns getent group renkei >/dev/null; then
  fail "the printed command left the renkei user or group"
fi
in_ns dpkg -i /tmp/renkei-package/renkei.deb >"$tmp/logs/dpkg-fresh.log" 2>&1 ||
  { cat "$tmp/logs/dpkg-fresh.log"; fail "dpkg -i on a clean system"; }
in_ns dpkg --purge renkei >"$tmp/logs/dpkg-purge3.log" 2>&1 ||
  { cat "$tmp/logs/dpkg-purge3.log"; fail "dpkg --purge (nothing set up)"; }
for d in /var/lib/renkei /etc/renkei; do ! in_ns test -e "$d" || fail "an empty purge left $d"; done
! grep -q 'purge kept' "$tmp/logs/dpkg-purge3.log" || fail "an empty purge says it kept something"
echo "   installed again: $id served; purged, the printed command: data, user and group gone;" \
  "installed and purged with no instance: /etc/renkei and /var/lib/renkei gone, in $((SECONDS - p0)) s"
step "done"
