#!/bin/bash
# Reprocess the granules listed in granules.txt (one path per line) with a PBS
# Pro job array: sub-job N runs `oceancolour process` on lines
# (N-1)*BATCH+1 .. N*BATCH. See docs/hpc.md. Submit from the folder holding
# granules.txt and chain.toml:
#   NGRANULES=$(wc -l < granules.txt); BATCH=20
#   qsub -J 1-$(( (NGRANULES + BATCH - 1) / BATCH )) -v BATCH=$BATCH examples/pbs_job_array.sh
# No queue is set (the site default); add `#PBS -q <queue>` for your centre.
#PBS -N oc-reprocess
#PBS -l select=1:ncpus=4:mem=8gb
#PBS -l walltime=02:00:00
#PBS -j oe
#PBS -m n
set -euo pipefail
cd "$PBS_O_WORKDIR"
BATCH=${BATCH:-20}
OUT=${OUT:-$DATAWORK/oc-out}
LOGS=${LOGS:-$DATAWORK/oc-logs/array}
mkdir -p "$OUT" "$LOGS"
# The Rust pool uses exactly the cores PBS gave this sub-job (PBS Pro sets NCPUS).
export OCEANCOLOUR_NUM_THREADS=${NCPUS:-4}
source "$DATAWORK/venvs/oceancolour/bin/activate"
first=$(( (PBS_ARRAY_INDEX - 1) * BATCH + 1 ))
last=$(( PBS_ARRAY_INDEX * BATCH ))
mapfile -t inputs < <(sed -n "${first},${last}p" granules.txt)
# stdout: the run summary (JSON); stderr: one JSON log record per line.
# Exit code: 0 ok, 1 some inputs failed (listed in the summary), 2 usage, 130 interrupted.
oceancolour process "${inputs[@]}" -o "$OUT" \
    --products chl_oc5,spm_gohin,kd490 --config chain.toml --log-format json \
    > "$LOGS/summary.$PBS_ARRAY_INDEX.json" 2> "$LOGS/log.$PBS_ARRAY_INDEX.jsonl"
