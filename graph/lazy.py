"""Heavy libraries imported on first use, so that a command that does not need them starts fast.

``import networkx`` alone takes a quarter of a second, ``scipy.stats`` more than a second;
a cold ``paradiplo query --store`` needs neither. Modules write ``nx = lazy("networkx")``
instead of ``import networkx as nx``: the name is bound at once, and the library is executed
the first time one of its attributes is read (the standard library's
:class:`importlib.util.LazyLoader`).

>>> json = lazy("json")
>>> json.dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["lazy"]


def lazy(name: str) -> ModuleType:
    """The module ``name``, executed on first attribute access (at once if already imported).

    A top-level module, or one whose package is already imported (``graph.templates``): finding
    a submodule executes its package, so for ``scipy.stats`` import inside the function instead.

    Raises
    ------
    ModuleNotFoundError
        When the module is not installed (found now, not on first use).
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:  # bound in its package, as ``import parent.child`` binds it
        setattr(sys.modules[parent], child, module)
    return module

