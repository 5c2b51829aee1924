"""Report a bundle's size and what takes the space: ``python installer/bundle_size.py dist/VividMed``.

Prints the total, then the largest entries of ``_internal/`` (packages, shared libraries,
data folders) with their share, so trimming starts where it pays.
"""

from __future__ import annotations

import sys
from pathlib import Path

MB = 1024 * 1024


def tree_size(path: Path) -> int:
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(tree_size(child) for child in path.iterdir())


def main(argv: list[str]) -> int:
    bundle = Path(argv[0] if argv else "dist/VividMed")
    internal = bundle / "_internal"
    if not internal.is_dir():
        print(f"bundle_size: {bundle} is not a one-folder bundle (no _internal/)", file=sys.stderr)
        return 1
    total = tree_size(bundle)
    entries = sorted(((tree_size(p), p.name) for p in internal.iterdir()), reverse=True)
    print(f"bundle {bundle}: {total / MB:,.0f} MB in all")
    print(f"{'entry of _internal/':<40} {'MB':>8} {'share':>7}")
    for size, name in entries[:15]:
        print(f"{name:<40} {size / MB:>8.1f} {size / total:>7.1%}")
    rest = sum(size for size, _ in entries[15:])
    print(
        f"{'(' + str(max(0, len(entries) - 15)) + ' more)':<40} {rest / MB:>8.1f} {rest / total:>7.1%}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
