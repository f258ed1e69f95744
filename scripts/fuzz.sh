#!/usr/bin/env bash
# Fuzz every cargo-fuzz target of fuzz/ for a set time and print executions, speed, corpus
# growth and crashes per target.
#
#   scripts/fuzz.sh                      # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh money callback
#   FUZZ_MERGE=1 scripts/fuzz.sh         # afterwards, add the new coverage to fuzz/corpus/
#
# Each target starts from its checked-in corpus (fuzz/corpus/<target>/: seeds from
# tests/vectors.json and V8, see scripts/fuzz-seed.mjs) and its past crashes
# (fuzz/regressions/<target>/); new inputs go to fuzz/work/<target>/ (git-ignored), so the
# checked-in corpus only grows with FUZZ_MERGE=1 (libFuzzer -merge=1 keeps just the inputs
# that add coverage). A crash is copied to fuzz/regressions/<target>/, where `cargo test`
# (tests/fuzz_regressions.rs) replays it from then on; the script then exits 1.
# Needs the nightly toolchain and cargo-fuzz; installs both when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
SANITIZER="${FUZZ_SANITIZER:-address}"   # cargo-fuzz's default; `none` runs about twice as fast
EXTRA=(${FUZZ_ARGS:-})                   # more libFuzzer flags, e.g. FUZZ_ARGS=-jobs=2

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: installing the nightly toolchain" >&2
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then TARGETS=("$@"); else mapfile -t TARGETS < <(cargo +nightly fuzz list); fi

echo "fuzz: building ${#TARGETS[@]} targets (sanitizer: $SANITIZER)" >&2
cargo +nightly fuzz build -O --sanitizer "$SANITIZER" >&2

mkdir -p fuzz/work
summary=fuzz/work/summary.txt
printf '| %-18s | %7s | %12s | %9s | %8s | %11s | %7s |\n' target seconds executions "exec/s" corpus "new inputs" crashes > "$summary"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' -------------------- --------- -------------- ----------- ---------- ------------- --------- >> "$summary"
total_execs=0
total_crashes=0
for t in "${TARGETS[@]}"; do
  work="fuzz/work/$t"
  artifacts="fuzz/artifacts/$t"
  mkdir -p "$work" "$artifacts" "fuzz/corpus/$t"
  dirs=("$work" "fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  log="fuzz/work/$t.log"
  before=$(ls "$artifacts")
  echo "fuzz: $t for ${SECONDS_EACH}s" >&2
  started=$(date +%s)
  set +e
  cargo +nightly fuzz run -O --sanitizer "$SANITIZER" "$t" "${dirs[@]}" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 -dict=fuzz/json.dict \
    -artifact_prefix="$artifacts/" -timeout=10 -rss_limit_mb=2048 -max_len=8192 "${EXTRA[@]}" > "$log" 2>&1
  status=$?
  set -e
  secs=$(( $(date +%s) - started ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  added=$(grep -o 'stat::new_units_added: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo 0)
  crashes=0
  for f in $(comm -13 <(echo "$before") <(ls "$artifacts")); do
    mkdir -p "fuzz/regressions/$t"
    cp "$artifacts/$f" "fuzz/regressions/$t/$f"
    crashes=$((crashes + 1))
    echo "fuzz: $t: CRASH $artifacts/$f (copied to fuzz/regressions/$t/; details in $log)" >&2
  done
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    echo "fuzz: $t: libFuzzer exited $status without an artifact; see $log" >&2
    crashes=1
  fi
  printf '| %-18s | %7s | %12s | %9s | %8s | %11s | %7s |\n' "$t" "$secs" "$execs" "$speed" "$corpus" "$added" "$crashes" >> "$summary"
  total_execs=$((total_execs + execs))
  total_crashes=$((total_crashes + crashes))
  if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$crashes" -eq 0 ]; then
    cargo +nightly fuzz run -O --sanitizer "$SANITIZER" "$t" "fuzz/corpus/$t" "$work" -- -merge=1 >> "$log" 2>&1
  fi
done
echo "fuzz: total $total_execs executions, $total_crashes crashes (sanitizer $SANITIZER, ${SECONDS_EACH}s per target)" >> "$summary"
cat "$summary"
[ "$total_crashes" -eq 0 ]
