#!/usr/bin/env bash
# Makes the certificates for mutual TLS on the cluster transport: a certificate authority for the cluster, and one
# certificate per node signed by it, each with its private key in a PKCS#12 file.
#
#   deploy/certificates.sh OUT_DIR NODE [NODE...]
#   e.g. deploy/certificates.sh deploy/certs node-1 node-2 node-3               (docker compose)
#        deploy/certificates.sh certs orchestrator-0 orchestrator-1 orchestrator-2 (the Kubernetes StatefulSet)
#
# The PKCS#12 password is ORCHESTRATOR_TLS_PASSWORD if set, otherwise a new random one written to
# OUT_DIR/password (give it to the nodes as ORCHESTRATOR_TLS_PASSWORD). The CA's key stays in OUT_DIR/ca.key:
# keep it off the nodes; with it you sign the certificates of nodes that join later (run the script again with
# their names: an existing CA is reused). Each node gets OUT_DIR/ca.pem (--tls-ca) and OUT_DIR/NODE.pfx
# (--tls-certificate). A machine without a certificate from this CA can neither join the cluster nor be joined.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out=$1
shift
command -v openssl >/dev/null || { echo "certificates.sh: openssl is needed (apt-get install openssl)" >&2; exit 2; }
mkdir -p "$out"
umask 077

password=${ORCHESTRATOR_TLS_PASSWORD:-}
if [ -z "$password" ]; then
  if [ -f "$out/password" ]; then password=$(cat "$out/password"); else password=$(openssl rand -hex 16); printf '%s' "$password" > "$out/password"; fi
fi

if [ ! -f "$out/ca.key" ]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -keyout "$out/ca.key" -out "$out/ca.pem" \
    -subj "/CN=orchestrator cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "certificates.sh: made the cluster CA: $out/ca.pem (its key: $out/ca.key)"
fi

for node in "$@"; do
  openssl req -newkey rsa:2048 -sha256 -nodes -keyout "$out/$node.key" -out "$out/$node.csr" -subj "/CN=$node" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\n' "$node" > "$out/$node.ext"
  openssl x509 -req -in "$out/$node.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" -CAcreateserial -days 825 -sha256 \
    -extfile "$out/$node.ext" -out "$out/$node.pem" 2>/dev/null
  openssl pkcs12 -export -in "$out/$node.pem" -inkey "$out/$node.key" -out "$out/$node.pfx" -passout "pass:$password" -name "$node"
  rm -f "$out/$node.csr" "$out/$node.ext" "$out/$node.key"
  echo "certificates.sh: $out/$node.pfx"
done
chmod 644 "$out"/*.pfx "$out/ca.pem"
