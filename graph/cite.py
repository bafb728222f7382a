"""How to cite a record: the record in the dataset, and the papers it rests on (APA or BibTeX).

The papers' bibliographic data is read from the store (``data/sources.yaml`` as loaded into each
source's named graph); a record rests on the papers whose named graphs state something about it.
Nothing is added that a paper does not print: a missing year is ``n.d.``, missing authors
``Anonymous``; the first word of an author as printed is taken as the family name.

Examples
--------
>>> from graph import open_graph
>>> text = cite(open_graph(), "omsk-pavlodar-cooperation-agreement")
>>> "https://w3id.org/paradiplo/id/omsk-pavlodar-cooperation-agreement" in text and "Макашев" in text
True
"""

from __future__ import annotations

from .errors import ParadiploError
from .rdf import GRAPH, ID, SOURCE
from .records import GENERAL_KNOWLEDGE, is_id
from .store import KnowledgeGraph

__all__ = ["cite", "sources_of", "bibliography", "UnknownRecord", "STYLES"]

STYLES = ("apa", "bibtex")
_TITLE = "paradiplo: a knowledge graph of paradiplomatic actors"


class UnknownRecord(ParadiploError):
    """No record has this id."""


def sources_of(kg: KnowledgeGraph, record_id: str) -> list[str]:
    """The papers (source ids) whose named graphs state something about ``record_id`` or its
    attestations; general knowledge is no paper. ``UnknownRecord`` if no graph has the record."""
    if not is_id(record_id):
        raise UnknownRecord(f"{record_id!r} is not a record id (lower-case letters, digits and hyphens)")
    iri = ID + record_id
    rows = kg.store.query(f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(?s = <{iri}> || STRSTARTS(STR(?s), "{iri}/")) }} ORDER BY ?g""")
    graphs = [row["g"].value for row in rows]
    if not graphs:
        raise UnknownRecord(f"no record {record_id!r}: see `paradiplo find TEXT` for ids by name")
    return [g[len(GRAPH):] for g in graphs if g.startswith(GRAPH) and g[len(GRAPH):] not in (GENERAL_KNOWLEDGE, "ontology")]


def bibliography(kg: KnowledgeGraph, source_ids: list[str]) -> list[dict]:
    """Each source's bibliographic data as its named graph states it: ``id``, ``authors`` (list),
    ``title`` (language → text), ``language``, ``year``, ``journal``, ``volume``, ``issue``,
    ``pages``, ``doi`` (absent keys: not printed)."""
    from .publish import BIBLIOGRAPHIC  # Jinja2 and the site's templates: only when citing

    out = []
    for sid in source_ids:
        entry: dict = {"id": sid, "authors": [], "title": {}}
        for row in kg.store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{GRAPH}{sid}> {{ <{SOURCE}{sid}> ?p ?o }} }}"):
            key, value = BIBLIOGRAPHIC.get(row["p"].value), row["o"]
            if key == "authors":
                entry["authors"].append(value.value)
            elif key == "title":
                entry["title"][value.language or ""] = value.value
            elif key == "identifier" and value.value.startswith("doi:"):
                entry["doi"] = value.value[4:]
            elif key:
                entry[key] = value.value
            elif row["p"].value == "http://purl.org/dc/terms/language":
                entry["language"] = value.value
        entry["authors"] = _in_printed_order(kg, sid, entry["authors"])
        out.append(entry)
    return out


def _in_printed_order(kg: KnowledgeGraph, sid: str, authors: list[str]) -> list[str]:
    """Authors in the order ``data/sources.yaml`` gives them when the records are at hand (the store
    keeps no order), else sorted."""
    source = kg.dataset.sources.get(sid) if kg.dataset is not None else None
    if source is not None and sorted(source.authors) == sorted(authors):
        return list(source.authors)
    return sorted(authors)


def _label(kg: KnowledgeGraph, record_id: str) -> str:
    rows = kg.store.query(f"""SELECT ?l WHERE {{ <{ID}{record_id}> ?p ?l
        VALUES ?p {{ <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#prefLabel> }}
        FILTER(LANG(?l) = "en") }} ORDER BY ?l LIMIT 1""")
    return next((row["l"].value for row in rows), record_id)


def _title(entry: dict) -> str:
    """The title in the paper's language, with the English one in brackets when it differs."""
    own = entry["title"].get(entry.get("language", ""), "")
    english = entry["title"].get("en", "")
    first = own or english or next(iter(entry["title"].values()), "")
    return f"{first} [{english}]" if english and english != first else first


def _apa_author(name: str) -> str:
    family, _, given = name.partition(" ")
    return f"{family}, {given}" if given else family


def _apa(entry: dict) -> str:
    authors = [_apa_author(a) for a in entry["authors"]] or ["Anonymous"]
    names = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + ", & " + authors[-1]
    text = f"{names} ({entry.get('year', 'n.d.')}). {_title(entry)}."
    if entry.get("journal"):
        text += f" {entry['journal']}"
        if entry.get("volume"):
            text += f", {entry['volume']}" + (f"({entry['issue']})" if entry.get("issue") else "")
        text += (f", {entry['pages']}" if entry.get("pages") else "") + "."
    return text + (f" https://doi.org/{entry['doi']}" if entry.get("doi") else "")


_BIBTEX_SPECIAL = str.maketrans({c: "\\" + c for c in "{}%&$#_"} | {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}",
                                                                   "^": r"\textasciicircum{}"})


def _bib(value: str) -> str:
    return value.translate(_BIBTEX_SPECIAL)


def _bibtex(kind: str, key: str, fields: dict[str, str], raw: tuple[str, ...] = ()) -> str:
    """A BibTeX entry; values are escaped except the fields named in ``raw``."""
    body = ",\n".join(f"  {name} = {{{value if name in raw else _bib(value)}}}"
                      for name, value in fields.items() if value)
    return f"@{kind}{{{key},\n{body}\n}}"


def _bibtex_source(entry: dict) -> str:
    fields = {"author": " and ".join(_apa_author(a) for a in entry["authors"]), "title": _title(entry),
              "journal": entry.get("journal", ""), "year": entry.get("year", ""), "volume": entry.get("volume", ""),
              "number": entry.get("issue", ""), "pages": entry.get("pages", "").replace("–", "--"),
              "doi": entry.get("doi", ""), "language": entry.get("language", "")}
    return _bibtex("article" if entry.get("journal") else "misc", entry["id"], fields)


def cite(kg: KnowledgeGraph, record_id: str, style: str = "apa") -> str:
    """How to cite record ``record_id``: the record in this version of the dataset, then each paper
    it rests on, in ``style`` (``apa`` or ``bibtex``). ``UnknownRecord`` for an id no graph has."""
    from .publish import data_version

    papers = bibliography(kg, sources_of(kg, record_id))
    iri, version, label = ID + record_id, data_version(kg), _label(kg, record_id)
    if style == "bibtex":
        record = _bibtex("misc", f"paradiplo:{record_id}", {
            "title": label, "author": "{paradiplo contributors}", "howpublished": f"{_TITLE}, version {version}",
            "url": iri, "note": "Rests on " + ", ".join(p["id"] for p in papers) if papers else ""}, raw=("author",))
        return "\n\n".join([record, *map(_bibtex_source, papers)]) + "\n"
    lines = [f"paradiplo contributors (n.d.). {label} [Data set record]. In {_TITLE} (Version {version}). {iri}"]
    if papers:
        lines += ["", "Rests on:", *(_apa(p) for p in papers)]
    return "\n".join(lines) + "\n"
