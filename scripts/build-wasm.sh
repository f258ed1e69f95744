#!/usr/bin/env bash
# Build the WebAssembly package output into pkg/dist/.
#   scripts/build-wasm.sh server    # default features: includes the signer
#   scripts/build-wasm.sh browser   # --no-default-features: no signer, no HMAC code at all
# Each build: cargo (release, wasm32) -> wasm-bindgen (web target glue) -> wasm-opt (binaryen).
# wasm-opt: a second -O3 after --gufa (whole-module constant/type flow) saves ~0.4 KB gzip on
# the server build; --converge (repeat -Oz while it shrinks) ~0.2 KB on the browser build;
# --strip-target-features drops a 148-byte custom section nothing reads at run time.
# --low-memory-unused lets wasm-opt fold constant offsets into loads and stores (~0.6 KB gzip
# server, ~0.35 KB browser). Its assumption, no data in the first 1 KiB of memory, holds
# for rustc's wasm32 layout: the 1 MiB stack comes first and grows down towards address 0,
# statics start at 1 MiB, so only a stack within 1 KiB of overflowing would touch it.
set -euo pipefail
cd "$(dirname "$0")/.."
flavor=${1:-server}
case "$flavor" in
  server) features=(); target_dir=target; profile=release; opt=(--low-memory-unused -O3 --gufa -O3) ;;
  browser) features=(--no-default-features); target_dir=target/browser; profile=release-browser; opt=(--low-memory-unused -Oz --converge) ;;
  *) echo "unknown build flavor: $flavor" >&2; exit 2 ;;
esac
out=pkg/dist/$flavor
cargo build --quiet --profile "$profile" --lib --target wasm32-unknown-unknown --target-dir "$target_dir" ${features[@]+"${features[@]}"}
rm -rf "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name coinbar_pay \
  "$target_dir/wasm32-unknown-unknown/$profile/coinbar_pay.wasm"
node_modules/.bin/wasm-opt "${opt[@]}" --strip-debug --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue \
  "$out/coinbar_pay_bg.wasm" -o "$out/coinbar_pay_bg.wasm"
