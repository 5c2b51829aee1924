#!/usr/bin/env bash
# Train a recipe's stages 0-3 in order, each from the previous stage's model, resuming
# whatever an interrupted run left behind; a finished stage is skipped.
#   training/recipes/train_all_stages.sh [RECIPE] [OUTPUT]   (defaults: demo, runs/RECIPE)
set -euo pipefail
recipe=${1:-demo}
output=${2:-runs/$recipe}
python=${PYTHON:-.venv/bin/python}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

stage_state() {  # prints: done | resume | fresh
  "$python" - "$1" <<'PY'
import json, sys
from pathlib import Path
stage_dir = Path(sys.argv[1])
final = stage_dir / "final" / "trainer_state.json"
if final.exists():
    state = json.loads(final.read_text())
    if state.get("step", 0) >= state.get("total_steps", 1):
        print("done")
        raise SystemExit
complete = [p for p in stage_dir.glob("checkpoint-*") if (p / "COMPLETE").exists()]
print("resume" if complete else "fresh")
PY
}

for stage in 0 1 2 3; do
  state=$(stage_state "$output/stage$stage")
  case $state in
    done) echo "stage $stage: already trained ($output/stage$stage/final)"; continue ;;
    resume) extra=(--resume) ;;
    *) extra=() ;;
  esac
  "$python" -m vividmed_viewer.cli.main train --stage "$stage" --config "$recipe" \
    --output "$output" --no-progress "${extra[@]}"
done
echo "all stages trained: $output/stage3/final"
