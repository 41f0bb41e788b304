"""Subnormal floats flushed to zero in every thread that computes: flush-to-zero (FTZ) and denormals-are-zero (DAZ).

Why. A float32 below 1.18e-38 in magnitude (float64: 2.2e-308) is *subnormal*. Training makes them as a matter of
course: Adam's first moment of a parameter whose gradient is exactly zero (a dead ReLU unit, a weight that the
proximal L1 step holds at 0) decays by β₁ = 0.9 a step and is subnormal after about 800 steps; L2 and decoupled decay
shrink the weights of unused units geometrically into the same range. Intel cores compute subnormals through a
microcode path tens to a hundred times slower per operation (AMD's much less so): on a 2-core Intel host the engine
benchmark W2 took 110 s without flushing and 10.8 s with it, nothing else different.

What. The choice TensorFlow makes on CPU by default: the FTZ and DAZ bits of the thread's SSE control register
(``torch.set_flush_denormal(True)``, which sets both where the CPU has them; aarch64's FZ bit where torch supports
it). A result that would be subnormal is written as a signed zero, and a subnormal input is read as zero. The
alternatives cost more and cover less: clamping tensors after every update touches every buffer again each step
and still lets the matmuls meet subnormal intermediates.

Where. The flag belongs to one thread. :func:`flush_subnormals` sets it in the calling thread and in each thread of
that thread's OpenMP pool, which torch's intra-op parallelism and MKL's GEMMs use: one parallel region
(``GOMP_parallel``, which GNU's libgomp exports and LLVM's and Intel's OpenMP runtimes export for compatibility)
whose body sets the flag in every pool thread. Threads created afterwards inherit it: a new thread starts with
the floating-point environment of the thread that creates it (POSIX ``pthread_create``), so pool threads that a
larger thread count adds later, a server's request threads and a training run's worker thread all start flushed
once their creator is. Spawned processes start afresh and call it themselves. The engine calls it wherever
a stack trains (:class:`reglab.engine.StackTrainer`) or the playground draws, and the drivers call it first thing
in each process and thread they start; it costs a thread-local look after the first call.

Consequences, measured and stated rather than hidden: a weight that shrinks past 1.18e-38 is now an exact zero
(reports count "exact zeros" of L1's proximal step apart from values that only underflowed: see
:func:`reglab.measures.weights.weight_stats`). Everything else is unchanged: a flushed value is smaller than any
float32 difference the metrics can show, and in float64 nothing reglab computes comes within 1e-300 of the range.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
import warnings

import torch

__all__ = ["SUBNORMAL_BELOW", "flush_subnormals", "flushes", "keep_subnormals", "subnormal_count"]

SUBNORMAL_BELOW = {torch.float32: 1.1754943508222875e-38, torch.float64: 2.2250738585072014e-308}
"""Smallest positive normal value of each float type: a non-zero value of smaller magnitude is subnormal."""

_local = threading.local()
_warned = False
_parallel = None  # the OpenMP runtime's GOMP_parallel, once found (False: none)
_PID = os.getpid()  # a forked child's inherited pool is not to be entered beyond torch's own thread count


def flush_subnormals() -> bool:
    """Sets flush-to-zero and denormals-are-zero in this thread and its OpenMP pool (once per thread).

    Returns whether the CPU flushes. Where it cannot (a CPU without the flags), a warning says so once per process
    and reglab computes as before, only slower where subnormals appear."""
    if getattr(_local, "flushes", None) is not None:
        return _local.flushes
    flushes = bool(torch.set_flush_denormal(True))
    if flushes:
        _set_pool(True)
    else:
        _warn_once()
    _local.flushes = flushes
    return flushes


def keep_subnormals() -> None:
    """Undoes :func:`flush_subnormals` in this thread and its pool, as if it had never run here: what a benchmark of
    the cost of subnormals, or a test that reglab flushes them by itself, starts from. The next call of
    :func:`flush_subnormals` in this thread flushes again."""
    torch.set_flush_denormal(False)
    _set_pool(False)
    _local.flushes = None


def flushes() -> bool:
    """Whether this thread flushes subnormal floats to zero now (a look at the CPU's behaviour, not at a record)."""
    tiny = torch.full((1,), 1e-20, dtype=torch.float32)
    return bool((tiny * tiny).item() == 0.0)


def subnormal_count(values: torch.Tensor) -> int:
    """How many entries of a float tensor are subnormal (non-zero and below the smallest normal in magnitude)."""
    a = values.detach().abs()
    return int(((a > 0) & (a < SUBNORMAL_BELOW[values.dtype])).sum())


def _set_pool(on: bool) -> None:
    """Runs ``torch.set_flush_denormal(on)`` in every thread of this thread's OpenMP pool (see the module docstring)."""
    parallel = _gomp_parallel()
    if not parallel:
        return
    size = torch.get_num_threads()
    if os.getpid() == _PID:
        size = max(size, os.cpu_count() or 1)  # a pool that once had more threads keeps them
    if size <= 1:
        return
    body = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda _: torch.set_flush_denormal(on))
    parallel(body, None, size, 0)  # ctypes releases the GIL; each pool thread takes it to run the body


def _gomp_parallel():
    """``GOMP_parallel(fn, data, num_threads, flags)`` of the OpenMP runtime torch uses, or False if none is found."""
    global _parallel
    if _parallel is not None:
        return _parallel
    lib_dir = os.path.join(os.path.dirname(torch.__file__), "lib")
    candidates = [
        *sorted(glob.glob(os.path.join(lib_dir, "libgomp*.so*"))),
        *sorted(glob.glob(os.path.join(lib_dir, "libiomp5*"))),
        *sorted(glob.glob(os.path.join(lib_dir, "libomp*"))),
        None,  # the symbols already loaded into the process (a torch linked against the system's runtime)
    ]
    _parallel = False
    for path in candidates:
        try:
            fn = ctypes.CDLL(path).GOMP_parallel
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.CFUNCTYPE(None, ctypes.c_void_p), ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
        fn.restype = None
        _parallel = fn
        break
    return _parallel


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            "This CPU does not flush subnormal floats to zero (torch.set_flush_denormal is not supported here): "
            "reglab computes as before, but runs whose weights or Adam moments decay below 1e-38 may slow down.",
            RuntimeWarning,
            stacklevel=3,
        )
