#!/usr/bin/env sh
# Register the bundle with the desktop for the current user: a menu entry, the icon and the
# file types (.dcm, .nii, .nii.gz, DICOMDIR), so double-clicking such a file opens it.
# Usage: install-desktop-entry.sh [BUNDLE_DIR]   (default: the folder above this script)
# XDG_DATA_HOME (default ~/.local/share) says where; nothing outside it is written.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bundle=$(cd "${1:-$here/..}" && pwd)
[ -x "$bundle/VividMed" ] || { echo "no VividMed executable in $bundle" >&2; exit 1; }
data="${XDG_DATA_HOME:-$HOME/.local/share}"
mkdir -p "$data/applications" "$data/mime/packages" "$data/icons/hicolor/scalable/apps" \
         "$data/icons/hicolor/256x256/apps"
sed "s|@BUNDLE@|$bundle|g" "$here/vividmed.desktop.in" > "$data/applications/vividmed.desktop"
cp "$here/vividmed-mime.xml" "$data/mime/packages/vividmed.xml"
cp "$here/vividmed.svg" "$data/icons/hicolor/scalable/apps/vividmed.svg"
cp "$here/vividmed.png" "$data/icons/hicolor/256x256/apps/vividmed.png"
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$data/mime"; fi
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database "$data/applications"
fi
if command -v xdg-mime >/dev/null 2>&1; then
  for type in application/dicom application/x-nifti application/x-nifti-gz application/x-dicomdir; do
    xdg-mime default vividmed.desktop "$type" || true
  done
fi
echo "VividMed Viewer registered in $data (menu entry, icon, .dcm/.nii/.nii.gz/DICOMDIR)"
