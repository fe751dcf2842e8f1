#!/usr/bin/env bash
# A development certificate authority and certificates for TLS on gRPC and NATS (tests, local
# experiments; production certificates come from the municipality's own PKI).
#
#   tools/dev-ca.sh <dir> <name> [<name> ...]
#
# Creates <dir>/ca.crt and <dir>/ca.key once (ECDSA P-256, 825 days), then for each name
# <dir>/<name>.crt and <dir>/<name>.key (mode 0600) signed by it, usable as server and as client
# certificate: subjectAltName DNS:<name>, DNS:localhost, IP:127.0.0.1, IP:::1. Existing
# certificates are kept.
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 <dir> <name> [<name> ...]" >&2
  exit 2
fi
dir=$1
shift
mkdir -p "$dir"
umask 077
if [[ ! -f $dir/ca.crt ]]; then
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 825 -subj "/O=Renkei development/CN=Renkei development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  chmod 644 "$dir/ca.crt"
fi
for name in "$@"; do
  if [[ ! $name =~ ^[A-Za-z0-9._-]+$ ]]; then
    echo "bad name: $name ([A-Za-z0-9._-])" >&2
    exit 2
  fi
  [[ -f $dir/$name.crt ]] && continue
  ext=$(mktemp)
  cat >"$ext" <<EOF
subjectAltName = DNS:$name, DNS:localhost, IP:127.0.0.1, IP:::1
extendedKeyUsage = serverAuth, clientAuth
keyUsage = critical, digitalSignature, keyAgreement
basicConstraints = critical, CA:FALSE
EOF
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/O=Renkei development/CN=$name" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -out "$dir/$name.crt" -days 825 -extfile "$ext" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
  chmod 644 "$dir/$name.crt"
  chmod 600 "$dir/$name.key"
done
echo "$dir: ca.crt $(printf '%s.crt ' "$@")"
