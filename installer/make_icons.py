"""Render the SVG icon into the raster formats each platform wants (run at bundle build time).

``python installer/make_icons.py OUT_DIR`` writes ``vividmed.png`` (256 px, Linux desktop
entry and the window icon), ``vividmed.ico`` (Windows) and ``vividmed.icns`` (macOS).
The SVG is drawn with Qt's own renderer (QtSvg, no display needed); Pillow writes the
multi-size ICO and ICNS files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parent / "icons" / "vividmed.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render_png(svg: Path, size: int, out: Path) -> Path:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"make_icons: cannot write {out}")
    return out


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(argv[0] if argv else "build/icons")
    out.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    largest = render_png(SVG, max(SIZES), out / "vividmed-512.png")
    render_png(SVG, 256, out / "vividmed.png")
    with Image.open(largest) as image:
        image.save(out / "vividmed.ico", sizes=[(s, s) for s in SIZES if s <= 256])
        image.save(out / "vividmed.icns")
    print(f"icons in {out}: vividmed.png, vividmed.ico, vividmed.icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
