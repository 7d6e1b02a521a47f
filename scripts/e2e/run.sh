#!/usr/bin/env bash
# End-to-end run of the drawing page (the Makefile's `e2e` target): a model trained for one epoch,
# `digits serve` on a free port, scripts/e2e/draw.mjs in headless Chromium, docs/serve.png.
# Needs target/digits.jar and the training data (DATA, default data/train.csv).
# Chromium comes from Debian's package (installed here when missing; needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/../.."

MODEL="${E2E_MODEL:-simple}"
DATA="${DATA:-data/train.csv}"
MODELS=target/e2e/saved_models
EXPECT="${E2E_EXPECT:-7}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"

if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium
fi
(cd scripts/e2e && npm ci --no-audit --no-fund --silent)

if [ ! -d "$MODELS/$MODEL/1" ]; then
  java -jar target/digits.jar train --model "$MODEL" --data "$DATA" --epochs 1 \
    --output "$MODELS" --model-version 1
fi

log="$(mktemp)"
java -jar target/digits.jar serve --model-base-path "$MODELS/$MODEL" --port 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 1 120); do
  url="$(grep -o 'drawing page at http://[^ ]*/' "$log" | sed 's/drawing page at //' || true)"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "digits serve exited" >&2; exit 1; }
  sleep 0.5
done
[ -n "$url" ] || { cat "$log" >&2; echo "digits serve did not start within 60 s" >&2; exit 1; }

node scripts/e2e/draw.mjs "$url" docs/serve.png --expect "$EXPECT"
