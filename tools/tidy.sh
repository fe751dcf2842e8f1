#!/usr/bin/env bash
# clang-tidy gate: runs clang-tidy (checks in .clang-tidy) over the project's own sources with the
# build's compile_commands.json; exit 1 on any finding. Usage:
#   tools/tidy.sh            every .cc under services/, tools/ and tests/
#   tools/tidy.sh FILE.cc... only these (paths relative to the repository)
# Headers are checked through the .cc files that include them (HeaderFilterRegex: ours only).
# Needs the configured build with its generated headers (tools/build.sh; configures and generates
# them itself when missing). RENKEI_JOBS files in parallel (default 2), RENKEI_BUILD_DIR as build.sh.
#
# Cache: a file that passed is not checked again while nothing its result depends on has changed.
# The key hashes its preprocessed source (clang++ -E -C: every header it includes, and comments,
# so a NOLINT counts), its compile flags, .clang-tidy, clang-tidy's version and this script, with
# the repository and build paths replaced so that every clone on the machine shares the entries
# (CI's fresh clone too). Only passing results are stored, in ${XDG_CACHE_HOME:-~/.cache}/renkei-tidy.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
build="${RENKEI_BUILD_DIR:-$repo/build}"
jobs=${RENKEI_JOBS:-2}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/renkei-tidy"
tidy=clang-tidy-14
clangxx=clang++-14

if [[ ! -f "$build/compile_commands.json" ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# The generated protobuf headers every source includes (a no-op once built).
cmake --build "$build" -j "$jobs" --target renkei_proto >/dev/null

if (($# == 0)); then
  mapfile -t files < <(git ls-files 'services/*.cc' 'tools/*.cc' 'tests/*.cc')
else
  files=("$@")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$cache" "$work/fail" "$work/hit" "$work/run"
# One argument list per file: the compile command without the compiler, -o <object> and -c.
jq -r --arg repo "$repo/" '.[] | [(.file | ltrimstr($repo)), .directory, .command] | @tsv' \
  "$build/compile_commands.json" >"$work/commands.tsv"
fixed_key=$( { "$tidy" --version; cat .clang-tidy "$repo/tools/tidy.sh"; } | sha256sum | cut -c1-64)
export repo build cache tidy clangxx work fixed_key

check_one() {
  local src=$1 line dir command name flags=() skip=0
  name=${src//\//__}
  line=$(awk -F'\t' -v f="$src" '$1 == f { print; exit }' "$work/commands.tsv")
  if [[ -z "$line" ]]; then
    echo "tidy: $src is not in $build/compile_commands.json" >"$work/fail/$name"
    return 0
  fi
  dir=$(cut -f2 <<<"$line")
  command=$(cut -f3- <<<"$line")
  eval "set -- $command"
  shift
  for a in "$@"; do
    if ((skip)); then skip=0; continue; fi
    case "$a" in
      -o) skip=1 ;;
      -c) ;;
      *) flags+=("$a") ;;
    esac
  done
  local key
  key=$( {
    echo "$fixed_key"
    printf '%s\n' "${flags[@]}"
    (cd "$dir" && "$clangxx" "${flags[@]}" -E -C -o - 2>&1)
  } | sed -e "s|$build|@BUILD@|g" -e "s|$repo|@REPO@|g" | sha256sum | cut -c1-64)
  if [[ -f "$cache/$key" ]]; then
    touch "$work/hit/$name"
    return 0
  fi
  touch "$work/run/$name"
  if "$tidy" --quiet -p "$build" "$repo/$src" >"$work/$name.log" 2>&1 &&
     ! grep -q ': \(warning\|error\):' "$work/$name.log"; then
    echo "$src" >"$cache/$key.tmp.$$" && mv "$cache/$key.tmp.$$" "$cache/$key"
  else
    mv "$work/$name.log" "$work/fail/$name"
  fi
}
export -f check_one

start=$(date +%s)
printf '%s\0' "${files[@]}" | xargs -0 -n1 -P "$jobs" bash -c 'check_one "$1"' _
failed=("$work"/fail/*)
[[ -e "${failed[0]}" ]] || failed=()
hits=$(find "$work/hit" -type f | wc -l)
ran=$(find "$work/run" -type f | wc -l)
if ((${#failed[@]})); then
  grep -hv '^[0-9]* warnings\? generated\.$' "${failed[@]}"
  # A header's finding is reported once for every file that includes it: count each once.
  sed -n "s|^$repo/||; s/^\([^ ]*:[0-9]*:[0-9]*\): \(warning\|error\): .*\[\([^],]*\).*\]$/\1 \3/p" \
    "${failed[@]}" | sort -u >"$work/findings"
  echo "== findings per check ($(wc -l <"$work/findings") in all)"
  cut -d' ' -f2 "$work/findings" | sort | uniq -c | sort -rn
fi
echo "tidy: ${#files[@]} files, $hits cached, $ran checked, ${#failed[@]} with findings" \
  "($(($(date +%s) - start)) s)"
((${#failed[@]} == 0))
