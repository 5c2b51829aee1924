#!/usr/bin/env bash
# Smoke-test a built bundle as a user would run it: a clean environment (env -i: no virtual
# environment, nothing of ours on PATH or PYTHONPATH) and a fresh HOME, so settings, cache
# and logs start empty. Usage: installer/smoke_test.sh [dist/VividMed]  (run under xvfb-run
# for the GUI step: `make test-bundle` does).
set -euo pipefail
bundle=$(cd "${1:-dist/VividMed}" && pwd)
samples="$bundle/_internal/resources/samples/phantom_chest"
home=$(mktemp -d /tmp/vividmed-smoke-home.XXXXXX)
out="$home/out"
mkdir -p "$out"
clean() {  # run the bundle with nothing but what a desktop session gives it
  env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    DISPLAY="${DISPLAY:-}" XAUTHORITY="${XAUTHORITY:-}" "$@"
}
step() { printf '\n== %s\n' "$*"; }

step "--version"
clean "$bundle/vividmed" --version
clean "$bundle/VividMed" --version

step "vividmed info on the sample CT"
clean "$bundle/vividmed" info "$samples/ct.nii.gz" | tee "$out/info.txt"
grep -q "CT" "$out/info.txt"

step "headless demo on the shipped samples (default model, batch bundles, screenshots)"
clean "$bundle/vividmed" demo --headless --out "$out/demo" | tee "$out/demo.txt"
ls "$out/demo/results"/*/report.json >/dev/null
ls "$out/demo"/*.png >/dev/null
grep -q "VividMed (demo)" "$out/demo.txt"

step "the demo's CT results out as DICOM SEG + SR (vividmed export)"
clean "$bundle/vividmed" export "$out/demo/results/phantom-ct" --out "$out/dicom"
ls "$out/dicom/seg.dcm" "$out/dicom/sr.dcm" >/dev/null
if command -v dciodvfy >/dev/null 2>&1; then
  for object in seg sr; do
    ! dciodvfy "$out/dicom/$object.dcm" 2>&1 | grep -q Error || {
      dciodvfy "$out/dicom/$object.dcm"; exit 1; }
    echo "dciodvfy $object.dcm: no errors"
  done
fi

step "the GUI opens the sample CT under xvfb and writes a screenshot"
[ -n "${DISPLAY:-}" ] || { echo "no DISPLAY: run this under xvfb-run" >&2; exit 1; }
clean "$bundle/VividMed" "$samples/ct.nii.gz" --screenshot "$out/gui.png"
python3 - "$out/gui.png" <<'PY'
import sys, zlib, struct
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
width, height = struct.unpack(">II", data[16:24])
assert width >= 800 and height >= 600, (width, height)
print(f"screenshot {width}x{height}: {sys.argv[1]}")
PY

step "desktop integration: menu entry, icon, file types (.dcm, .nii, .nii.gz, DICOMDIR)"
data="$home/.local/share"
clean XDG_DATA_HOME="$data" sh "$bundle/_internal/desktop/install-desktop-entry.sh" "$bundle"
desktop-file-validate "$data/applications/vividmed.desktop"
for glob in '\*.dcm' '\*.nii' '\*.nii.gz' 'DICOMDIR'; do
  grep -q ":$glob\(:\|$\)" "$data/mime/globs2" || { echo "MIME glob $glob not registered" >&2; exit 1; }
done
for type in application/dicom application/x-nifti application/x-nifti-gz application/x-dicomdir; do
  default=$(clean XDG_DATA_HOME="$data" XDG_CONFIG_HOME="$home/.config" xdg-mime query default "$type")
  [ "$default" = vividmed.desktop ] || { echo "$type opens with '$default'" >&2; exit 1; }
  echo "$type -> $default"
done

step "settings, cache and logs went to the fresh HOME"
find "$home" -maxdepth 4 -type d \( -name vividmed -o -name VividMed \) | sort
echo "bundle smoke test passed: $bundle (outputs in $out)"
