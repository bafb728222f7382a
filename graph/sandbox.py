"""Confine a query process: no new network sockets, a memory cap.

A query worker is forked from the process that holds the store. Before it runs any
query it calls :func:`confine`, which

* installs a seccomp filter (Linux, x86-64 and AArch64) that makes ``socket``,
  ``connect`` and ``io_uring_setup`` fail with ``EACCES``: whatever a query asks for
  (``SERVICE``, a future federation feature, a bug in a guard), the process cannot open
  a connection. Sockets it already holds (its pipe to the parent) keep working.
* caps its address space (``RLIMIT_AS``) at what it uses now plus ``memory`` bytes, so
  one query cannot exhaust the machine: past the cap an allocation fails and the worker
  ends; its parent reports it and starts a new one.

The filter is a classic BPF program handed to ``prctl(PR_SET_SECCOMP)`` through ctypes
(no dependency; ``PR_SET_NO_NEW_PRIVS`` first, so no privilege is needed). On other
systems :func:`confine` reports that the network cannot be cut off, and the query guard
(:func:`graph.sparql.check_query`) is the only line of defence.

Examples
--------
>>> import os, socket
>>> pid = os.fork()
>>> if pid == 0:  # the child: confined, then it tries to open a socket
...     confine(memory=None)
...     try:
...         socket.socket()
...         os._exit(1)
...     except PermissionError:
...         os._exit(0)
>>> os.waitpid(pid, 0)[1] if network_can_be_cut() else 0
0
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import struct
import sys

__all__ = ["confine", "network_can_be_cut", "DEFAULT_MEMORY"]

#: bytes a query worker may allocate beyond what it holds when it starts (1 GiB)
DEFAULT_MEMORY = 1024 ** 3

# (audit arch, {syscall name: number}) per machine; numbers from the kernel's unistd tables
_ARCH = {
    "x86_64": (0xC000003E, {"socket": 41, "connect": 42, "io_uring_setup": 425}),
    "aarch64": (0xC00000B7, {"socket": 198, "connect": 203, "io_uring_setup": 425}),
}
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_RET_ALLOW, _RET_EACCES = 0x7FFF0000, 0x00050000 | 13
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_X32_BIT = 0x40000000


def network_can_be_cut() -> bool:
    """Whether :func:`confine` can forbid sockets on this machine."""
    return sys.platform.startswith("linux") and platform.machine() in _ARCH


def _program() -> bytes:
    """The BPF filter: wrong architecture or x32 calls → EACCES; the listed calls → EACCES."""
    arch, calls = _ARCH[platform.machine()]
    insns: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, 4),            # seccomp_data.arch
        (_JEQ_K, 1, 0, arch),            # our architecture: go on
        (_RET_K, 0, 0, _RET_EACCES),
        (_LD_W_ABS, 0, 0, 0),            # seccomp_data.nr
        (_JGE_K, 0, 1, _X32_BIT),        # x32 ABI numbers: refuse
        (_RET_K, 0, 0, _RET_EACCES),
    ]
    for number in sorted(calls.values()):
        insns += [(_JEQ_K, 0, 1, number), (_RET_K, 0, 0, _RET_EACCES)]
    insns.append((_RET_K, 0, 0, _RET_ALLOW))
    return b"".join(struct.pack("HBBI", *insn) for insn in insns)


def _cut_network() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    program = _program()
    buffer = ctypes.create_string_buffer(program, len(program))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    for args in ((_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*[ctypes.c_ulong(a) for a in args]) != 0:
            raise OSError(ctypes.get_errno(), "prctl failed: " + os.strerror(ctypes.get_errno()))


def _address_space() -> int:
    """Bytes of address space this process has mapped now (``VmSize``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def confine(memory: int | None = DEFAULT_MEMORY) -> bool:
    """Confine this process for good: no new sockets, at most ``memory`` more bytes.

    Call it in a freshly forked child. Returns whether the network could be cut off.
    ``memory=None`` leaves memory unbounded.
    """
    if memory is not None and hasattr(resource, "RLIMIT_AS"):
        limit = _address_space() + memory
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    if not network_can_be_cut():
        return False
    _cut_network()
    return True
