"""SHACL shapes run as SPARQL in Oxigraph: the default engine of ``paradiplo validate``.

The shapes graph (``ontology/shapes.ttl``) is translated, shape by shape and constraint by
constraint, into SPARQL ``SELECT`` queries over an in-memory Oxigraph store bulk-loaded from
the dataset's N-Quads (every named graph and the ontology graph, queried as their union), so
that no Python object is made per triple. It covers the SHACL Core features the project's
shapes use, and a few more: ``sh:targetClass``; property shapes with a predicate path;
``sh:class`` (through ``rdfs:subClassOf*`` in the data and the ontology), ``sh:datatype``
(with the lexical form checked for the XSD types), ``sh:nodeKind``, ``sh:in``,
``sh:minCount``, ``sh:maxCount``, ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:node``, ``sh:or``,
``sh:and``, ``sh:not``, ``sh:message``. Anything else in a shapes file is refused with
:class:`UnsupportedShape` (use ``--shacl-engine pyshacl``) rather than silently ignored.

Each violation is a :class:`Violation` (focus node, path, constraint component, value,
message), in the wording pySHACL uses; ``tests/test_shacl_engines.py`` checks that both
engines find the same set on the bundled data and on a violation of every component the
project's shapes use.

Examples
--------
>>> nq = ('<https://w3id.org/paradiplo/id/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
...       '<https://w3id.org/paradiplo/ontology#Attestation> <https://w3id.org/paradiplo/graph/p> .\\n')
>>> found = run_shapes(nq.encode())
>>> len(found), {v.component for v in found}
(4, {'MinCountConstraintComponent'})
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Mapping

import pyoxigraph as ox

from .errors import ParadiploError
from .folder import resource_dir

__all__ = ["ENGINES", "Violation", "UnsupportedShape", "run_shapes", "shapes_program", "pyshacl_violations",
           "violations"]

#: the SHACL engines: this module's translation into SPARQL over Oxigraph (the default), and pySHACL
ENGINES = ("oxigraph", "pyshacl")

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE_PATH = f"<{RDF}type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
#: XSD datatypes whose lexical forms Oxigraph checks by casting (SPARQL's constructor functions)
_CASTABLE = {XSD + t for t in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime", "time",
                               "gYear", "gYearMonth", "string")}
_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
          "BlankNodeOrIRI": "!isLiteral({v})", "BlankNodeOrLiteral": "!isIRI({v})", "IRIOrLiteral": "!isBlank({v})"}
#: what a shape may say that this engine understands (anything else is refused)
_KNOWN = {SH + k for k in ("targetClass", "property", "path", "class", "datatype", "nodeKind", "in", "minCount",
                           "maxCount", "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive",
                           "maxExclusive", "node", "or", "and", "not", "message", "name", "description", "order",
                           "group", "severity")} | {RDF + "type", "http://www.w3.org/2000/01/rdf-schema#comment",
                                                   "http://www.w3.org/2000/01/rdf-schema#label"}


class UnsupportedShape(ParadiploError, ValueError):
    """A shapes file uses a SHACL feature that the Oxigraph engine does not translate (the
    command line prints it and exits 1)."""


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result.

    ``focus`` and ``value`` are terms written as in N-Triples (``<iri>``, ``"text"@ru``);
    ``path`` is the result path's IRI ("" for a constraint on the focus node itself);
    ``component`` the constraint component's local name, e.g. ``ClassConstraintComponent``;
    ``value`` is "" for ``sh:minCount`` and ``sh:maxCount``.
    """

    focus: str
    path: str
    component: str
    value: str
    message: str


@dataclass(frozen=True)
class _Check:
    """One query: the violations of one constraint of one shape."""

    sparql: str
    path: str
    component: str
    message: str  #: the shape's sh:message, or a template with {focus} and {value}
    counts: bool = False  #: sh:minCount / sh:maxCount (no value node)
    details: tuple["_Check", ...] = ()  #: for sh:node, run only when this check finds a violation


class _Shapes:
    """The shapes graph as nested dicts: node → predicate IRI → objects, with RDF lists read."""

    def __init__(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        self.prefixes = dict(re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", text))
        self.edges: dict[ox.NamedNode | ox.BlankNode, dict[str, list]] = {}
        for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE):
            self.edges.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)

    def get(self, node, name: str) -> list:
        return self.edges.get(node, {}).get(SH + name, [])

    def items(self, head) -> list:
        out = []
        while head != ox.NamedNode(RDF + "nil"):
            out += self.edges[head][RDF + "first"]
            head = self.edges[head][RDF + "rest"][0]
        return out

    def short(self, term) -> str:
        """A shapes-graph term as pySHACL prints it: a prefixed name, a literal as ``Literal(...)``."""
        if isinstance(term, ox.Literal):
            return _literal_text(term, self.short)
        if isinstance(term, ox.BlankNode):  # as pySHACL's stringify_blank_node
            edges = self.edges.get(term, {})
            if RDF + "first" in edges:
                return "( " + " ".join(self.short(t) for t in self.items(term)) + " )"
            said = sorted(f"{self.short(ox.NamedNode(p))} {', '.join(sorted(self.short(o) for o in os))}"
                          for p, os in edges.items())
            return "[ " + " ; ".join(said) + " ]" if said else "[ ]"
        for prefix, ns in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if term.value.startswith(ns) and re.fullmatch(r"[\w-]+", term.value[len(ns):]):
                return f"{prefix}:{term.value[len(ns):]}"
        return f"<{term.value}>"


def _literal_text(term: ox.Literal, short) -> str:
    """``Literal("lex", lang=ru, datatype=xsd:integer)``, as pySHACL's ``stringify_literal``."""
    out = f'Literal("{term.value}"'
    if term.language:
        out += f", lang={term.language}"
    elif term.datatype.value != XSD + "string":
        out += f", datatype={short(term.datatype)}"
    return out + ")"


def _data_short(term: str) -> str:
    """A data term (N-Triples text) as pySHACL prints it in messages."""
    return _literal_text(_term(term), _data_prefixed) if term.startswith('"') else term


def _data_prefixed(term: ox.NamedNode) -> str:
    return f"xsd:{term.value[len(XSD):]}" if term.value.startswith(XSD) else f"<{term.value}>"


def _term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An N-Triples term back into a pyoxigraph term."""
    triple = next(iter(ox.parse(f"<x:s> <x:p> {text} .".encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)))
    return triple.object


class _Compiler:
    """Shapes → SPARQL: a boolean expression per constraint (true when a node conforms), and
    the queries that list violations of the shapes with targets."""

    def __init__(self, shapes: _Shapes) -> None:
        self.shapes = shapes
        self.fresh = itertools.count()

    def var(self) -> str:
        return f"?x{next(self.fresh)}"

    def value_tests(self, shape, v: str) -> list[tuple[str, str, str]]:
        """(component, expression true when ``v`` conforms, default message) for every
        constraint of ``shape`` that applies to a value node itself."""
        return [test for _, _, test in self.tests(shape, v)]

    def value_test(self, name: str, param, v: str) -> tuple[str, str, str] | None:
        s = self.shapes
        if name == "class":
            return ("ClassConstraintComponent", f"EXISTS {{ {v} {_TYPE_PATH} {param} }}",
                    f"Value does not have class {s.short(param)}")
        if name == "datatype":
            test = f"(isLiteral({v}) && sameTerm(datatype({v}), {param}))"
            if param.value in _CASTABLE:
                test = f"({test} && COALESCE(isLiteral({param}(STR({v}))), false))"
            return "DatatypeConstraintComponent", test, f"Value is not Literal with datatype {s.short(param)}"
        if name == "nodeKind":
            return ("NodeKindConstraintComponent", _KINDS[param.value[len(SH):]].format(v=v),
                    f"Value is not of Node Kind {s.short(param)}")
        if name == "in":
            allowed = s.items(param)
            test = "(" + " || ".join(f"sameTerm({v}, {t})" for t in allowed) + ")" if allowed else "false"
            return ("InConstraintComponent", test,
                    "Value {value} not in list " + str([s.short(t) for t in allowed]))
        return self.range_test(name, param, v) or self.shape_test(name, param, v)

    def range_test(self, name: str, param, v: str) -> tuple[str, str, str] | None:
        s = self.shapes
        if name in ("minLength", "maxLength"):
            op, word = (">=", "MinLength") if name == "minLength" else ("<=", "MaxLength")
            return (f"{word}ConstraintComponent", f"(!isBlank({v}) && STRLEN(STR({v})) {op} {param.value})",
                    f"String length not {op} {_literal_text(param, _data_prefixed)}")
        ops = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
        if name in ops:
            return (f"{name[0].upper()}{name[1:]}ConstraintComponent", f"COALESCE({v} {ops[name]} {param}, false)",
                    f"Value is not {ops[name]} {s.short(param)}")
        return None

    def shape_test(self, name: str, param, v: str) -> tuple[str, str, str] | None:
        s = self.shapes
        if name == "node":
            return ("NodeConstraintComponent", self.conforms(param, v),
                    f"Value does not conform to Shape {s.short(param)}. See details for more information.")
        if name in ("or", "and"):
            parts = s.items(param)
            joined = (" || " if name == "or" else " && ").join(self.conforms(p, v) for p in parts)
            listed = " , ".join(s.short(p) for p in parts)
            word = "one or more" if name == "or" else "all"
            return (f"{name.capitalize()}ConstraintComponent", f"({joined or str(name == 'and').lower()})",
                    f"Node {{value}} must conform to {word} shapes in {listed}")
        if name == "not":
            return ("NotConstraintComponent", f"(!{self.conforms(param, v)})",
                    f"Node {{value}} must not conform to shape {s.short(param)}")
        return None

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression true when node ``v`` conforms to ``shape`` (all its constraints)."""
        self.check_known(shape)
        tests = [test for _, test, _ in self.value_tests(shape, v)]
        for prop in self.shapes.get(shape, "property"):
            self.check_known(prop)
            path = self.path(prop)
            x = self.var()
            for _, test, _ in self.value_tests(prop, x):
                tests.append(f"NOT EXISTS {{ {v} {path} {x} FILTER(!{test}) }}")
            tests += self.count_tests(prop, path, v)
        return "(" + " && ".join(tests or ["true"]) + ")"

    def count_tests(self, prop, path: str, v: str) -> list[str]:
        """sh:minCount 0/1 and sh:maxCount 0/1 as expressions (others need a query of their own)."""
        out = []
        for n in self.shapes.get(prop, "minCount"):
            if int(n.value) > 1:
                raise UnsupportedShape(f"sh:minCount {n.value} inside sh:node/sh:or (only 0 or 1)")
            out += [f"EXISTS {{ {v} {path} {self.var()} }}"] if int(n.value) == 1 else []
        for n in self.shapes.get(prop, "maxCount"):
            a, b = self.var(), self.var()
            if int(n.value) > 1:
                raise UnsupportedShape(f"sh:maxCount {n.value} inside sh:node/sh:or (only 0 or 1)")
            out.append(f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} FILTER(!sameTerm({a}, {b})) }}"
                       if int(n.value) == 1 else f"NOT EXISTS {{ {v} {path} {a} }}")
        return out

    def path(self, prop) -> str:
        paths = self.shapes.get(prop, "path")
        if len(paths) != 1 or not isinstance(paths[0], ox.NamedNode):
            raise UnsupportedShape(f"a property shape's sh:path must be one IRI: {self.shapes.short(prop)}")
        return str(paths[0])

    def check_known(self, shape) -> None:
        unknown = sorted(set(self.shapes.edges.get(shape, {})) - _KNOWN)
        if unknown:
            raise UnsupportedShape(f"{self.shapes.short(shape)} uses {', '.join(unknown)}, which the Oxigraph "
                                   "engine does not translate; use --shacl-engine pyshacl")

    def checks(self, shape, target: str, depth: int = 0) -> list[_Check]:
        """The queries that list the violations of a shape, whose focus nodes ``target`` matches."""
        self.check_known(shape)
        if depth > 8:
            raise UnsupportedShape(f"{self.shapes.short(shape)}: sh:node nested more than 8 deep (recursive shapes?)")
        message = self.message(shape)
        out = []
        for name, param, (component, _, default) in self.tests(shape, "?f"):
            out.append(_Check(f"SELECT DISTINCT ?f (?f AS ?v) WHERE {{ {target} {self.violating(name, param, '?f')} }}",
                              "", component, message or default, details=self.details(name, param, target, "", depth)))
        for prop in self.shapes.get(shape, "property"):
            out += self.property_checks(prop, target, depth)
        return out

    def details(self, name: str, param, target: str, path: str, depth: int) -> tuple[_Check, ...]:
        """For ``sh:node``, as pySHACL reports them (``sh:detail``): the nested shape's own
        violations, whose focus is each value that does not conform to it."""
        if name != "node":
            return ()
        if not path:
            inner = f"{{ SELECT DISTINCT ?f WHERE {{ {target} FILTER(!{self.conforms(param, '?f')}) }} }}"
        else:
            g = self.var()
            renamed = re.sub(r"[?]f(?!\w)", g, target)  # the outer focus, under another name
            inner = (f"{{ SELECT DISTINCT ?f WHERE {{ {renamed} {g} {path} ?f "
                     f"FILTER(!{self.conforms(param, '?f')}) }} }}")
        return tuple(self.checks(param, inner, depth + 1))

    def tests(self, shape, v: str) -> list[tuple[str, object, tuple[str, str, str]]]:
        """(parameter name, parameter, test) for each constraint of ``shape`` on a value node."""
        names = sorted(p[len(SH):] for p in self.shapes.edges.get(shape, {}) if p.startswith(SH))
        return [(name, param, test) for name in names for param in self.shapes.get(shape, name)
                if (test := self.value_test(name, param, v)) is not None]

    def violating(self, name: str, param, v: str) -> str:
        """A pattern keeping the solutions whose ``v`` violates one constraint: ``MINUS`` for
        ``sh:class`` (a hash join: ten times faster than ``FILTER NOT EXISTS`` per value)."""
        if name == "class":
            return f"MINUS {{ {v} {_TYPE_PATH} {param} }}"
        return f"FILTER(!{self.value_test(name, param, v)[1]})"

    def property_checks(self, prop, target: str, depth: int) -> list[_Check]:
        self.check_known(prop)
        path, message, iri = self.path(prop), self.message(prop), self.shapes.get(prop, "path")[0]
        short = self.shapes.short(iri)
        out = []
        for name, param, (component, _, default) in self.tests(prop, "?v"):
            out.append(_Check(f"SELECT DISTINCT ?f ?v WHERE {{ {target} ?f {path} ?v "
                              f"{self.violating(name, param, '?v')} }}", iri.value, component, message or default,
                              details=self.details(name, param, target, path, depth)))
        for n in self.shapes.get(prop, "minCount"):
            having = (f"MINUS {{ ?f {path} ?v }} }}" if int(n.value) == 1 else
                      f"OPTIONAL {{ ?f {path} ?v }} }} GROUP BY ?f HAVING (COUNT(DISTINCT ?v) < {int(n.value)})")
            out.append(_Check(f"SELECT ?f WHERE {{ {target} {having}", iri.value, "MinCountConstraintComponent",
                              message or f"Less than {n.value} values on {{focus}}->{short}", True))
        for n in self.shapes.get(prop, "maxCount"):
            out.append(_Check(f"SELECT ?f WHERE {{ {target} ?f {path} ?v }} GROUP BY ?f "
                              f"HAVING (COUNT(DISTINCT ?v) > {int(n.value)})", iri.value, "MaxCountConstraintComponent",
                              message or f"More than {n.value} values on {{focus}}->{short}", True))
        return out

    def message(self, shape) -> str:
        messages = self.shapes.get(shape, "message")
        return messages[0].value.replace("{", "{{").replace("}", "}}") if messages else ""


#: where the focus nodes of each targeted shape are written before the checks run (a graph of
#: the in-memory store only: finding a class's instances once, not once per constraint)
_TARGETS = "urn:paradiplo:shacl:targets"


@dataclass(frozen=True)
class _Program:
    targets: tuple[tuple[str, str], ...]  #: (shape's IRI in the targets graph, query of its focus nodes)
    checks: tuple[_Check, ...]


@lru_cache(maxsize=4)
def shapes_program(path: Path | None = None) -> _Program:
    """Every query of a shapes file (by default ``ontology/shapes.ttl``), compiled once.

    Raises :class:`UnsupportedShape` for a feature this engine does not translate.
    """
    shapes = _Shapes(path or resource_dir("ontology") / "shapes.ttl")
    compiler = _Compiler(shapes)
    targeted = sorted((s for s, edges in shapes.edges.items() if SH + "targetClass" in edges), key=str)
    for s, edges in shapes.edges.items():
        if any(p.startswith(SH + "target") and p != SH + "targetClass" for p in edges):
            raise UnsupportedShape(f"{shapes.short(s)}: only sh:targetClass is translated; use --shacl-engine pyshacl")
    targets, checks = [], []
    for i, shape in enumerate(targeted):
        name = f"{_TARGETS}:{i}"
        union = " UNION ".join(f"{{ ?f {_TYPE_PATH} {c} }}" for c in shapes.get(shape, "targetClass"))
        targets.append((name, f"SELECT DISTINCT ?f WHERE {{ {union} }}"))
        checks += compiler.checks(shape, f"GRAPH <{_TARGETS}> {{ ?f <{_TARGETS}> <{name}> }}")
    return _Program(tuple(targets), tuple(checks))


def run_shapes(nquads: bytes | Mapping[str, bytes], shapes: Path | None = None) -> list[Violation]:
    """Validate N-Quads (the union of their graphs; bytes, or graph IRI → that graph's N-Quads
    as :func:`graph.rdf.graph_nquads` gives them) against the shapes; every violation, sorted.

    The quads are bulk-loaded into an in-memory Oxigraph store as one graph (the union), the
    focus nodes of each targeted shape are found once, and each constraint of each shape is
    one SPARQL query.
    """
    store = ox.Store()
    for chunk in _as_triples(nquads):
        store.bulk_load(chunk, format=ox.RdfFormat.N_TRIPLES)
    program = shapes_program(shapes)
    graph = marker = ox.NamedNode(_TARGETS)
    for name, query in program.targets:
        shape = ox.NamedNode(name)
        store.extend([ox.Quad(row[0], marker, shape, graph) for row in store.query(query)])
    return sorted(_run(store, program.checks))


def _run(store: ox.Store, checks: tuple[_Check, ...]) -> set[Violation]:
    """The violations the queries find; a check's details only when it found one."""
    found: set[Violation] = set()
    for check in checks:
        hit = False
        for row in store.query(check.sparql):
            hit = True
            focus = str(row[0])
            value = "" if check.counts else str(row[1])
            message = check.message.format(focus=_data_short(focus), value=_data_short(value))
            found.add(Violation(focus, check.path, check.component, value, message))
        if hit and check.details:
            found |= _run(store, check.details)
    return found


def _as_triples(nquads: bytes | Mapping[str, bytes]) -> Iterator[bytes]:
    """N-Quads → N-Triples: the union of the graphs, which Oxigraph's default graph holds as a
    set (queried 30 % faster than the union of named graphs). Given graph by graph (graph IRI
    → that graph's N-Quads, as :func:`graph.rdf.graph_nquads` gives them), each graph's name is
    cut in one ``bytes.replace`` (its name, a dot and a line break can only end one of its
    lines); anything else goes through Oxigraph's parser.
    """
    chunks = nquads.items() if isinstance(nquads, Mapping) else [("", nquads)]
    for name, chunk in chunks:
        suffix = f" <{name}> .\n".encode("utf-8")
        if name and chunk.count(suffix) == chunk.count(b"\n") and chunk.endswith(b"\n"):
            yield chunk.replace(suffix, b" .\n")
        else:
            quads = ox.parse(chunk, format=ox.RdfFormat.N_QUADS)
            yield ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                               format=ox.RdfFormat.N_TRIPLES)


def violations(nquads: bytes | Mapping[str, bytes], engine: str = "oxigraph") -> list[Violation]:
    """Every SHACL violation of the dataset ``nquads`` (N-Quads: the source graphs and the
    ontology graph) against ``ontology/shapes.ttl``, by ``engine`` (one of :data:`ENGINES`)."""
    if engine == "oxigraph":
        return run_shapes(nquads)
    if engine == "pyshacl":
        return pyshacl_violations(nquads if isinstance(nquads, bytes) else b"".join(nquads.values()))
    raise ValueError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")


def pyshacl_violations(nquads: bytes, shapes: Path | None = None) -> list[Violation]:
    """pySHACL (over rdflib, no inference) on the same input: the data graphs' union as data, the
    ontology's own classes and properties as ``ont_graph`` (so a Region is an Actor), the sector
    scheme's concepts, which records point to, with the data."""
    import rdflib
    from pyshacl import validate as shacl_validate

    data, ont = _split_ontology(nquads)
    data_graph = rdflib.Graph().parse(data=data, format="nt")
    ont_graph = rdflib.Graph().parse(data=ont, format="nt")
    shapes_graph = rdflib.Graph().parse(shapes or resource_dir("ontology") / "shapes.ttl", format="turtle")
    conforms, results, _ = shacl_validate(data_graph, shacl_graph=shapes_graph, ont_graph=ont_graph,
                                          inference="none", advanced=True, allow_warnings=False)
    sh = rdflib.Namespace(SH)
    found = set()
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        value = results.value(result, sh.value)
        path = results.value(result, sh.resultPath)
        found.add(Violation(results.value(result, sh.focusNode).n3(), str(path) if path is not None else "",
                            str(results.value(result, sh.sourceConstraintComponent))[len(SH):],
                            value.n3() if value is not None else "",
                            str(results.value(result, sh.resultMessage) or "violates a SHACL shape")))
    return sorted(found)


def _split_ontology(nquads: bytes) -> tuple[str, str]:
    """N-Quads → (data, ontology) as N-Triples text: every source's graph and the sector
    scheme's ``pdr:`` concepts are data; the ontology graph's classes and properties are not."""
    from .rdf import ID, ONTOLOGY_GRAPH

    ontology = ox.NamedNode(ONTOLOGY_GRAPH)  # str() of a graph name has angle brackets: compare terms
    data: list[ox.Triple] = []
    ont: list[ox.Triple] = []
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        axiom = q.graph_name == ontology and not q.subject.value.startswith(ID)
        (ont if axiom else data).append(ox.Triple(q.subject, q.predicate, q.object))
    return (ox.serialize(data, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"),
            ox.serialize(ont, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
