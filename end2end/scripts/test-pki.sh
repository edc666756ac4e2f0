#!/usr/bin/env bash
# A test PKI for the browser tests (P-4): a root CA and the ward's signing certificate in a
# PKCS#12 file, made with the openssl command into DIR (fresh each run). Test keys only: a
# deployment uses the certificate its CA issued (README, "Signed results").
set -euo pipefail
DIR=${1:?usage: test-pki.sh DIR}
rm -rf "$DIR" && mkdir -p "$DIR" && cd "$DIR"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -utf8 \
  -subj "/CN=Test Root CA/O=Portal Tests" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout agency.key -out agency.csr -utf8 \
  -subj "/CN=UBND Phường Hải Châu/O=Thành phố Đà Nẵng" 2>/dev/null
openssl x509 -req -in agency.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out agency.pem -days 365 2>/dev/null
openssl pkcs12 -export -inkey agency.key -in agency.pem -certfile ca.pem \
  -passout pass:e2e-p12 -out agency.p12
# The remote-signing CA simulator (peer remotesign) issues citizens' personal certificates from
# the same root, enrolling each citizen ID the first time it is asked for.
mkdir -p signers && cp ca.key ca.pem signers/
