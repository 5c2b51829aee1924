"""The VTK modules that implement rendering, loaded for the object factories they register.

``import vtk`` loads every VTK module (about half a second more at start); the viewer
imports each class from its own ``vtkmodules.*`` module instead. The abstract classes it
creates (render window, mappers, text actors, the smart volume mapper, the interactor)
get their OpenGL and platform implementations only once these modules are loaded: import
this module wherever such objects are made.
"""

import vtkmodules.vtkInteractionStyle
import vtkmodules.vtkRenderingFreeType
import vtkmodules.vtkRenderingOpenGL2
import vtkmodules.vtkRenderingUI
import vtkmodules.vtkRenderingVolumeOpenGL2  # noqa: F401 (GPU and CPU ray-cast volume mappers)
