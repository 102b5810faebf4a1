"""numpy as the oracle for the dtype tests.

Reads one JSON request from stdin, answers one JSON document on stdout. Every request is a list
of jobs, so a whole test file needs a single python3 start:

  {"op": "dtype", "spec": "<python literal>", "align": bool}
  {"op": "descr_dtype", "descr": "<python literal of a .npy descr>"}
  {"op": "equal", "a": int, "b": int}             indices of earlier "dtype"/"descr_dtype" jobs
  {"op": "save", "spec": "...", "rows": n, "seed": s, "path": p, "zero_d": bool}
                                                  random valid values (a sub-array spec gives an N-D array)
  {"op": "load", "path": p, "resave": p2}         load a file we wrote, re-save it with np.save
  {"op": "half", "doubles": [hex]}                  float64 -> float16 bits, and all 65536 halves decoded
"""

import ast
import json
import struct
import sys
import warnings

import numpy as np
from numpy.lib import format as npformat

warnings.simplefilter("ignore")


def layout(d):
    if d.fields is not None:
        return {"fields": [[n, d.fields[n][1], layout(d.fields[n][0])] for n in d.names], "itemsize": d.itemsize}
    if d.subdtype is not None:
        return {"base": layout(d.subdtype[0]), "shape": list(d.subdtype[1])}
    return d.str


def describe(d):
    out = {
        "ok": True,
        "itemsize": d.itemsize,
        "alignment": d.alignment,
        "str": d.str,
        "text": str(d),
        "kind": d.kind,
        "isalignedstruct": bool(d.isalignedstruct),
        "layout": layout(d),
    }
    try:
        out["descr"] = repr(d.descr)
    except ValueError as e:
        out["descr_error"] = str(e)
    return out


def canon_scalar(d, x):
    k = d.kind
    if k in "iu":
        return str(int(x))
    if k in "Mm":
        return str(int(x.astype(np.int64)))
    if k == "f":
        return struct.pack(">d", float(x)).hex()
    if k == "c":
        return [struct.pack(">d", float(x.real)).hex(), struct.pack(">d", float(x.imag)).hex()]
    if k == "b":
        return "T" if bool(x) else "F"
    if k == "S":
        return bytes(x).ljust(d.itemsize, b"\0").hex()
    if k == "V":
        return bytes(x).hex()
    if k == "U":
        return str(x)
    raise ValueError("kind " + k)


def canon(d, x):
    """Flat list of canonical leaf values of one element x of dtype d."""
    if d.fields is not None:
        out = []
        for n in d.names:
            out.extend(canon(d.fields[n][0], x[n]))
        return out
    if d.subdtype is not None:
        base = d.subdtype[0]
        out = []
        for e in np.asarray(x).reshape(-1):
            out.extend(canon(base, e))
        return out
    return [canon_scalar(d, x)]


def random_fill(d, n, rng):
    """n elements of d with random valid values (no NaN, so values compare exactly)."""
    a = np.zeros(n, dtype=d)
    fill(a, d, rng)
    return a


def fill(a, d, rng):
    if d.fields is not None:
        for name in d.names:
            fill(a[name], d.fields[name][0], rng)
        return
    if d.subdtype is not None:
        fill(a, d.subdtype[0], rng)  # a has the sub-array as extra dimensions
        return
    shape = a.shape
    k = d.kind
    if k in "iu":
        info = np.iinfo(d)
        vals = rng.integers(int(info.min), int(info.max), size=shape, endpoint=True, dtype=np.dtype(d).newbyteorder("="))
        a[...] = vals
    elif k == "f":
        vals = rng.standard_normal(shape) * (10.0 ** rng.integers(-8, 4, size=shape))
        a[...] = vals.astype(d)
    elif k == "c":
        a[...] = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    elif k == "b":
        a[...] = rng.integers(0, 2, size=shape).astype(bool)
    elif k in "SV":
        for idx in np.ndindex(shape):
            a[idx] = bytes(rng.integers(0, 256, size=d.itemsize, dtype=np.uint8))
    elif k == "U":
        n = d.itemsize // 4
        letters = np.array(list("abcxyzé漢字🙂 "))
        for idx in np.ndindex(shape):
            length = int(rng.integers(0, n + 1))
            a[idx] = "".join(rng.choice(letters, size=length))
    elif k in "Mm":
        a[...] = rng.integers(-(2**40), 2**40, size=shape).astype(d)
    else:
        raise ValueError("kind " + k)


def rows_of(arr):
    """Canonical values per row: a row is one element, or the flattened rest of a >1-D array."""
    if arr.ndim == 0:
        return [canon(arr.dtype, arr[()])]
    if arr.ndim == 1:
        return [canon(arr.dtype, x) for x in arr]
    return [sum((canon(arr.dtype, e) for e in r.reshape(-1)), []) for r in arr]


def main():
    jobs = json.load(sys.stdin)
    dtypes = []
    results = []
    for job in jobs:
        op = job["op"]
        try:
            if op == "dtype":
                d = np.dtype(ast.literal_eval(job["spec"]), align=job.get("align", False))
                dtypes.append(d)
                results.append(describe(d))
            elif op == "descr_dtype":
                d = npformat.descr_to_dtype(ast.literal_eval(job["descr"]))
                dtypes.append(d)
                results.append(describe(d))
            elif op == "equal":
                a, b = dtypes[job["a"]], dtypes[job["b"]]
                results.append({"ok": True, "equal": bool(a == b)})
            elif op == "save":
                d = np.dtype(ast.literal_eval(job["spec"]), align=job.get("align", False))
                rng = np.random.default_rng(job["seed"])
                arr = random_fill(d, max(job["rows"], 1), rng)
                if job.get("zero_d"):
                    arr = arr.reshape(())  # a 0-d array: one element, shape ()
                np.save(job["path"], arr)
                results.append({"ok": True, "rows": rows_of(arr), "shape": list(arr.shape), "text": str(arr.dtype)})
            elif op == "load":
                arr = np.load(job["path"], max_header_size=2**24)
                np.save(job["resave"], arr)
                results.append({"ok": True, "rows": rows_of(arr), "shape": list(arr.shape), "text": str(arr.dtype)})
            elif op == "half":
                doubles = np.array([struct.unpack(">d", bytes.fromhex(h))[0] for h in job["doubles"]], dtype=np.float64)
                to_half = doubles.astype(np.float16).view(np.uint16)
                all_halves = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float64)
                results.append({
                    "ok": True,
                    "bits": [int(b) for b in to_half],
                    "decoded": [struct.pack(">d", float(x)).hex() for x in all_halves],
                })
            else:
                results.append({"ok": False, "error": "unknown op " + op})
        except Exception as e:  # the oracle reports numpy's refusal; the test decides what it means
            if op in ("dtype", "descr_dtype"):
                dtypes.append(None)
            results.append({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
    json.dump(results, sys.stdout)


main()
