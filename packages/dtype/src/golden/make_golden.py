"""Writes the golden .npy files beside this script with numpy's np.save.

Run from anywhere: python3 make_golden.py. The values here are repeated in golden.test.ts,
which reads the committed files without numpy.
"""

import os

import warnings

import numpy as np

warnings.simplefilter("ignore")  # numpy warns when it picks format 3.0; that is the point here

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, arr):
    np.save(os.path.join(HERE, name), arr)


# The quick-start dtype of the guide.
save(
    "guide.npy",
    np.array(
        [(1, 0.95, 10), (2, 0.87, 20), (3, 0.72, 15)],
        dtype=[("_key", "<i4"), ("score", "<f8"), ("count", "<i4")],
    ),
)

# Embeddings as they usually arrive: a plain 2-D float32 array.
save("embeddings-2d.npy", (np.arange(12, dtype="<f4") / 4).reshape(3, 4))

# Big-endian fields and edge values: u8 max, half infinity / -0 / subnormal, S with NULs.
save(
    "big-endian.npy",
    np.array(
        [
            (2**64 - 1, np.inf, b"abc", True, (-32768, 32767)),
            (0, -0.0, b"\x00x\x00", False, (1, -1)),
            (12345678901234567890, 2.0**-24, b"hello", True, (0, 256)),
        ],
        dtype=[("id", ">u8"), ("h", ">f2"), ("name", "S5"), ("flag", "?"), ("vec", ">i2", (2,))],
    ),
)

# align=True: the descr carries ('', '|V3') and ('', '|V8') padding entries (the dropped field d
# leaves its bytes as padding). np.zeros first, so the padding bytes are zeros, not leftovers.
aligned = np.zeros(2, dtype=np.dtype([("a", "i1"), ("b", "<i4"), ("c", "<f8"), ("d", "u1")], align=True))
aligned[["a", "b", "c"]] = [(-1, 7, 1.5), (2, -8, -2.25)]
save("aligned.npy", aligned[["a", "b", "c"]])

# A nested struct and a 2-D sub-array field.
save(
    "nested.npy",
    np.array(
        [(1, (0.5, -0.5), [[1, 2], [3, 4]]), (2, (1.5, 2.5), [[5, 6], [7, 65535]])],
        dtype=[("k", "<i4"), ("pos", [("x", "<f4"), ("y", "<f4")]), ("hist", "<u2", (2, 2))],
    ),
)

# A field name outside latin-1 makes numpy write format version 3.0.
save("version3.npy", np.array([(1, "añb"), (2, "漢字🙂")], dtype=[("ключ", "<i4"), ("label", "<U4")]))
