#!/bin/sh
# Makes the certificates for mTLS between the Envoys and the control plane, for a first run: a CA,
# the control plane's server certificate (the xDS Service's DNS name) and the Envoys' client
# certificate (a SPIFFE ID). Then create the two Secrets the manifests mount (README.md):
#   sh make-xds-certs.sh certs/
# Production fleets issue these from their own CA (cert-manager, SPIRE, a vault); rotate them by
# replacing the Secrets' data: serve and Envoy pick up rotated files without a restart.
set -eu
out="${1:-certs}"
namespace="${NAMESPACE:-portcullis}"
days="${DAYS:-90}"
mkdir -p "$out"
cd "$out"
key() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@"; }
key -x509 -keyout ca.key -out ca.crt -days "$days" -subj "/CN=portcullis-xds-ca" 2>/dev/null
issue() { # name, subjectAltName
  printf 'subjectAltName=%s\n' "$2" > "$1.ext"
  key -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days "$days" -extfile "$1.ext" 2>/dev/null
  rm "$1.csr" "$1.ext"
}
issue server "DNS:portcullis-xds.$namespace.svc.cluster.local"
issue envoy "URI:spiffe://cluster.local/ns/$namespace/sa/envoy"
echo "made ca.crt, server.crt/key and envoy.crt/key in $out (keep ca.key out of the cluster)"
