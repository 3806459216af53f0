"""A writable numpy view of a Pillow image's own memory, so OpenCV can read and write it without copies.

`np.asarray(image)` copies the picture out (0.6 ms at 1280x720) and `Image.fromarray` copies it back in
(another 0.6 ms), repacking 4-byte pixels to 3 and back each way. Pillow exports its memory zero-copy
through the Arrow C data interface (`__arrow_c_array__`, a stable ABI); this module reads the buffer
address from that export and wraps it. The view keeps the export (and so the image's memory) alive.

An "RGB" image is viewed as H x W x 4 (Pillow keeps a padding byte per pixel; OpenCV may write anything
there, Pillow never reads it), an "L" image as H x W. Images Pillow cannot export in one piece (several
memory blocks, over 16 MB) raise NotSingleBlock; callers then take the copying path.
"""

from __future__ import annotations

import ctypes

import numpy as np
from PIL import Image

_CHANNELS = {"RGB": 4, "RGBA": 4, "L": 1}


class NotSingleBlock(ValueError):
    pass


class _ArrowArray(ctypes.Structure):
    pass


_ArrowArray._fields_ = [  # the Arrow C data interface's struct ArrowArray
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(_ArrowArray))), ("dictionary", ctypes.c_void_p),
    ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p),
]
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class _Export:
    """Holds Pillow's export while a view of it lives (numpy keeps this object as the view's base)."""

    def __init__(self, image: Image.Image) -> None:
        channels = _CHANNELS.get(image.mode)
        if channels is None:
            raise NotSingleBlock(f"no pixel view for mode {image.mode}")
        try:
            self._capsules = image.__arrow_c_array__()
        except ValueError as exc:  # Pillow: the image is not one block of memory
            raise NotSingleBlock(str(exc)) from exc
        array = _ArrowArray.from_address(_capsule_pointer(self._capsules[1], b"arrow_array"))
        data = array.children[0].contents if array.n_children else array  # RGB: a list of 4 bytes per pixel
        address = data.buffers[data.n_buffers - 1]
        shape = (image.height, image.width, channels) if channels > 1 else (image.height, image.width)
        if not address or data.length * (1 if array.n_children else channels) != image.width * image.height * channels:
            raise NotSingleBlock("unexpected export layout")
        self.__array_interface__ = {"shape": shape, "typestr": "|u1", "data": (address, False), "version": 3}


def pixels(image: Image.Image) -> np.ndarray:
    """The image's pixels as a writable uint8 array sharing its memory (see the module docstring)."""
    image.load()
    return np.asarray(_Export(image))
