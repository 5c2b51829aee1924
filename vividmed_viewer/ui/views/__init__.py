"""Image views: slice views, the 3D view and the ``ImageViewer`` that lays them out."""
