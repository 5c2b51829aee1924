"""Which series a folder opens when the user names none: the one rule for every caller.

The viewer (``vividmed-viewer DIR``), ``vividmed info DIR``, :func:`vividmed_viewer.io.load_image`
and ``vividmed infer`` all ask :func:`default_series`, so one folder always opens the same
series everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from vividmed_viewer.core.study import Series, Study


def default_series(studies: Sequence[Study]) -> Series | None:
    """The image series with the most slices (frames, then files); None when there is none.

    On a tie the first in scan order wins (studies by date, series by series number and
    description), so a scout or localizer listed first never beats the main series.
    """
    images = [series for study in studies for series in study.image_series]
    if not images:
        return None
    return max(images, key=lambda s: (s.number_of_frames, len(s.files)))
