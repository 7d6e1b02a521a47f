#!/usr/bin/env bash
# Bounded memory on large input (issue 7): `digits predict` streams a generated 1,000,000-row
# test file in batches. Prints peak resident memory for it and for the 28,000-row test.csv.
# Usage: bench/stream_predict.sh MODEL_DIR [WORK_DIR]   (run from the repository root, after make data build)
set -euo pipefail
model=${1:?model folder}
work=${2:-build/bench}
mkdir -p "$work"
big="$work/test-1m.csv"
if [ ! -f "$big" ]; then
  # 1,000,000 rows: test.csv's header, then its 28,000 rows over and over.
  awk 'NR == 1 { print; next } { row[n++] = $0 } END { for (i = 0; i < 1000000; i++) print row[i % n] }' \
    data/test.csv > "$big.tmp"
  mv "$big.tmp" "$big"
fi
peak() { # command... -> "seconds peak_kib"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null
  cat "$work/time.txt"
}
read -r small_s small_kib < <(peak java -jar target/digits.jar predict --model-dir "$model" --input data/test.csv --output "$work/sub-28k.csv")
read -r big_s big_kib < <(peak java -jar target/digits.jar predict --model-dir "$model" --input "$big" --output "$work/sub-1m.csv")
rows=$(($(wc -l < "$work/sub-1m.csv") - 1))
[ "$rows" -eq 1000000 ] || { echo "expected 1000000 scored rows, got $rows" >&2; exit 1; }
echo "{\"rows_small\": 28000, \"seconds_small\": $small_s, \"peak_kib_small\": $small_kib, \"rows_big\": $rows, \"seconds_big\": $big_s, \"peak_kib_big\": $big_kib, \"input_bytes_big\": $(stat -c %s "$big")}"
