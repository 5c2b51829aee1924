#!/bin/sh
# VividMed Viewer on macOS: open the bundled app (dist/VividMed.app) with the given files.
# Built on macOS with `pyinstaller --noconfirm installer/vividmed.spec`, which also writes the
# .app bundle whose Info.plist declares the DICOM and NIfTI document types.
here=$(cd "$(dirname "$0")" && pwd)
exec open -a "$here/VividMed.app" --args "$@"
