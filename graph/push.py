"""Load the dataset, named graphs included, into an external SPARQL store.

Two protocols: SPARQL 1.1 Update (``DROP SILENT GRAPH`` then ``INSERT DATA`` in batches,
POSTed form-encoded) and the SPARQL 1.1 Graph Store HTTP Protocol (``PUT`` of each named
graph as N-Triples). Basic and Digest authentication are both offered (Virtuoso asks for
Digest). Standard library HTTP only; nothing else is sent anywhere.

Examples
--------
>>> batches(["<a> <b> <c> .", "<a> <b> <d> ."], size=1)
[['<a> <b> <c> .'], ['<a> <b> <d> .']]
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from typing import Callable

from .errors import ParadiploError
from .rdf import split_nquad

__all__ = ["PushError", "graphs_as_ntriples", "batches", "push", "PROTOCOLS"]

PROTOCOLS = ("update", "gsp")


class PushError(ParadiploError):
    """The store refused the data or could not be reached."""


def graphs_as_ntriples(nquads: bytes) -> dict[str, list[str]]:
    """Named graph IRI → its triples as sorted N-Triples lines (from paradiplo's N-Quads).

    >>> graphs_as_ntriples(b'<http://a> <http://b> "x y" <http://g> .\\n')
    {'http://g': ['<http://a> <http://b> "x y" .']}
    """
    out: dict[str, list[str]] = defaultdict(list)
    for line in nquads.decode("utf-8").splitlines():
        if not line:
            continue
        triple, graph = split_nquad(line)
        out[graph].append(triple)
    return {g: sorted(lines) for g, lines in sorted(out.items())}


def batches(lines: list[str], size: int = 5000) -> list[list[str]]:
    """``lines`` in chunks of ``size``."""
    return [lines[i:i + size] for i in range(0, len(lines), size)] or [[]]


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float) -> None:
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()[:300]
        raise PushError(f"{request.full_url.split('?')[0]} answered {exc.code} {exc.reason}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PushError(f"cannot reach {request.full_url.split('?')[0]}: {getattr(exc, 'reason', exc)}") from None


def push(nquads: bytes, endpoint: str, protocol: str = "update", user: str | None = None,
         password: str | None = None, batch: int = 500, timeout: float = 120.0,
         progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Replace each named graph of the dataset in the store at ``endpoint``.

    Parameters
    ----------
    endpoint
        ``update``: the SPARQL Update endpoint; ``gsp``: the Graph Store endpoint
        (``?graph=<iri>`` is appended).
    progress
        Called with (triples sent, total) after each request.

    Returns
    -------
    dict
        Named graph IRI → number of triples sent.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}")
    graphs = graphs_as_ntriples(nquads)
    total = sum(len(v) for v in graphs.values())
    sent = 0
    opener = _opener(endpoint, user, password)
    for graph, lines in graphs.items():
        if protocol == "gsp":
            sep = "&" if "?" in endpoint else "?"
            url = f"{endpoint}{sep}{urllib.parse.urlencode({'graph': graph})}"
            body = ("\n".join(lines) + "\n").encode("utf-8")
            _send(opener, urllib.request.Request(url, data=body, method="PUT",
                                                 headers={"Content-Type": "application/n-triples"}), timeout)
            sent += len(lines)
            if progress:
                progress(sent, total)
            continue
        for i, chunk in enumerate(batches(lines, batch)):
            update = (f"DROP SILENT GRAPH <{graph}> ;\n" if i == 0 else "") + \
                     f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(chunk) + "\n} }"
            body = urllib.parse.urlencode({"update": update}).encode("utf-8")
            _send(opener, urllib.request.Request(endpoint, data=body, method="POST",
                                                 headers={"Content-Type": "application/x-www-form-urlencoded"}),
                  timeout)
            sent += len(chunk)
            if progress:
                progress(sent, total)
    return {g: len(v) for g, v in graphs.items()}
