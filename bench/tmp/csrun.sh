#!/bin/bash
# usage: csrun.sh N mode...
N=$1; shift
for m in "$@"; do : > /tmp/cs-$m.txt; done
for i in $(seq $N); do for m in "$@"; do node bench/tmp/cs3.mjs $m >> /tmp/cs-$m.txt; done; done
for m in "$@"; do echo "$m median $(sort -n /tmp/cs-$m.txt | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"; done
