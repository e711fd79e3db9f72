"""arXiv: ids, PDF links, the subject taxonomy, and metadata from the arXiv API. No Textual here.

Pure code only: parsing the API's Atom feed (`parse_feed`) and planning the requests
(`MetadataClient`: batches of at most `BATCH_SIZE` ids, one request at a time, `SPACING` seconds
apart from the start of one to the start of the next, as arXiv asks of API users). The transport,
the clock and the sleep are injected, so that tests run with a fake clock and a local server.

The Atom is parsed with the standard library's `xml.etree.ElementTree` rather than the `arxiv`
package: that package has no request timeout and returns an empty result for an API error feed,
while reader must time out and must tell an error (a malformed id) from a paper arXiv lacks.
The feed is a few hundred kilobytes at most (100 entries) and comes from a server we chose;
ElementTree does not fetch external entities, and a DOCTYPE is refused outright.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from reader.model import Digest, Paper
from reader.patterns import compiled
from reader.records import frozen

__all__ = [
    "API_URL",
    "BATCH_SIZE",
    "SPACING",
    "FeedError",
    "Metadata",
    "MetadataClient",
    "batches",
    "category_code",
    "parse_feed",
    "pdf_url",
    "year_of_id",
]

API_URL = "https://export.arxiv.org/api/query"
"""The arXiv API; `READER_ARXIV_API` (tests: a server on 127.0.0.1) replaces it."""
BATCH_SIZE = 100
"""Ids per request: arXiv's API answers `id_list` queries of 100 ids well."""
SPACING = 3.0
"""Seconds from the start of one API request to the start of the next, as arXiv asks."""

_NEW_ID = compiled(r"(\d{2})(\d{2})\.\d{4,5}")
_OLD_ID = compiled(r"[a-z\-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}")
_VERSION = compiled(r"v\d+$")


def pdf_url(arxiv_id: str) -> str:
    """The PDF of an arXiv paper (its latest version), derived from the id without any network.

    >>> pdf_url("2305.14314")
    'https://arxiv.org/pdf/2305.14314'
    """
    return f"https://arxiv.org/pdf/{arxiv_id}"


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def year_of_id(arxiv_id: str) -> int | None:
    """The year an arXiv id was assigned (its YYMM), or None for something that is not an id.

    >>> year_of_id("2305.14314"), year_of_id("hep-th/9901001"), year_of_id("x")
    (2023, 1999, None)
    """
    match = _NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return (1900 if year >= 91 else 2000) + year


# --- the subject taxonomy ----------------------------------------------------------------------

_ARCHIVES: dict[str, str] = {
    "astro-ph": "Astrophysics",
    "cond-mat": "Condensed Matter",
    "cs": "Computer Science",
    "econ": "Economics",
    "eess": "Electrical Engineering and Systems Science",
    "math": "Mathematics",
    "nlin": "Nonlinear Sciences",
    "physics": "Physics",
    "q-bio": "Quantitative Biology",
    "q-fin": "Quantitative Finance",
    "stat": "Statistics",
}

TAXONOMY: dict[str, str] = {
    # Computer Science
    "cs.AI": "Artificial Intelligence",
    "cs.AR": "Hardware Architecture",
    "cs.CC": "Computational Complexity",
    "cs.CE": "Computational Engineering, Finance, and Science",
    "cs.CG": "Computational Geometry",
    "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.CY": "Computers and Society",
    "cs.DB": "Databases",
    "cs.DC": "Distributed, Parallel, and Cluster Computing",
    "cs.DL": "Digital Libraries",
    "cs.DM": "Discrete Mathematics",
    "cs.DS": "Data Structures and Algorithms",
    "cs.ET": "Emerging Technologies",
    "cs.FL": "Formal Languages and Automata Theory",
    "cs.GL": "General Literature",
    "cs.GR": "Graphics",
    "cs.GT": "Computer Science and Game Theory",
    "cs.HC": "Human-Computer Interaction",
    "cs.IR": "Information Retrieval",
    "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning",
    "cs.LO": "Logic in Computer Science",
    "cs.MA": "Multiagent Systems",
    "cs.MM": "Multimedia",
    "cs.MS": "Mathematical Software",
    "cs.NA": "Numerical Analysis",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.NI": "Networking and Internet Architecture",
    "cs.OH": "Other Computer Science",
    "cs.OS": "Operating Systems",
    "cs.PF": "Performance",
    "cs.PL": "Programming Languages",
    "cs.RO": "Robotics",
    "cs.SC": "Symbolic Computation",
    "cs.SD": "Sound",
    "cs.SE": "Software Engineering",
    "cs.SI": "Social and Information Networks",
    "cs.SY": "Systems and Control",
    # Statistics
    "stat.AP": "Applications",
    "stat.CO": "Computation",
    "stat.ME": "Methodology",
    "stat.ML": "Machine Learning",
    "stat.OT": "Other Statistics",
    "stat.TH": "Statistics Theory",
    # Electrical Engineering and Systems Science
    "eess.AS": "Audio and Speech Processing",
    "eess.IV": "Image and Video Processing",
    "eess.SP": "Signal Processing",
    "eess.SY": "Systems and Control",
    # Economics
    "econ.EM": "Econometrics",
    "econ.GN": "General Economics",
    "econ.TH": "Theoretical Economics",
    # Quantitative Biology
    "q-bio.BM": "Biomolecules",
    "q-bio.CB": "Cell Behavior",
    "q-bio.GN": "Genomics",
    "q-bio.MN": "Molecular Networks",
    "q-bio.NC": "Neurons and Cognition",
    "q-bio.OT": "Other Quantitative Biology",
    "q-bio.PE": "Populations and Evolution",
    "q-bio.QM": "Quantitative Methods",
    "q-bio.SC": "Subcellular Processes",
    "q-bio.TO": "Tissues and Organs",
    # Quantitative Finance
    "q-fin.CP": "Computational Finance",
    "q-fin.EC": "Economics",
    "q-fin.GN": "General Finance",
    "q-fin.MF": "Mathematical Finance",
    "q-fin.PM": "Portfolio Management",
    "q-fin.PR": "Pricing of Securities",
    "q-fin.RM": "Risk Management",
    "q-fin.ST": "Statistical Finance",
    "q-fin.TR": "Trading and Market Microstructure",
    # Mathematics
    "math.AC": "Commutative Algebra",
    "math.AG": "Algebraic Geometry",
    "math.AP": "Analysis of PDEs",
    "math.AT": "Algebraic Topology",
    "math.CA": "Classical Analysis and ODEs",
    "math.CO": "Combinatorics",
    "math.CT": "Category Theory",
    "math.CV": "Complex Variables",
    "math.DG": "Differential Geometry",
    "math.DS": "Dynamical Systems",
    "math.FA": "Functional Analysis",
    "math.GM": "General Mathematics",
    "math.GN": "General Topology",
    "math.GR": "Group Theory",
    "math.GT": "Geometric Topology",
    "math.HO": "History and Overview",
    "math.IT": "Information Theory",
    "math.KT": "K-Theory and Homology",
    "math.LO": "Logic",
    "math.MG": "Metric Geometry",
    "math.MP": "Mathematical Physics",
    "math.NA": "Numerical Analysis",
    "math.NT": "Number Theory",
    "math.OA": "Operator Algebras",
    "math.OC": "Optimization and Control",
    "math.PR": "Probability",
    "math.QA": "Quantum Algebra",
    "math.RA": "Rings and Algebras",
    "math.RT": "Representation Theory",
    "math.SG": "Symplectic Geometry",
    "math.SP": "Spectral Theory",
    "math.ST": "Statistics Theory",
    # Astrophysics
    "astro-ph.CO": "Cosmology and Nongalactic Astrophysics",
    "astro-ph.EP": "Earth and Planetary Astrophysics",
    "astro-ph.GA": "Astrophysics of Galaxies",
    "astro-ph.HE": "High Energy Astrophysical Phenomena",
    "astro-ph.IM": "Instrumentation and Methods for Astrophysics",
    "astro-ph.SR": "Solar and Stellar Astrophysics",
    # Condensed Matter
    "cond-mat.dis-nn": "Disordered Systems and Neural Networks",
    "cond-mat.mes-hall": "Mesoscale and Nanoscale Physics",
    "cond-mat.mtrl-sci": "Materials Science",
    "cond-mat.other": "Other Condensed Matter",
    "cond-mat.quant-gas": "Quantum Gases",
    "cond-mat.soft": "Soft Condensed Matter",
    "cond-mat.stat-mech": "Statistical Mechanics",
    "cond-mat.str-el": "Strongly Correlated Electrons",
    "cond-mat.supr-con": "Superconductivity",
    # Nonlinear Sciences
    "nlin.AO": "Adaptation and Self-Organizing Systems",
    "nlin.CD": "Chaotic Dynamics",
    "nlin.CG": "Cellular Automata and Lattice Gases",
    "nlin.PS": "Pattern Formation and Solitons",
    "nlin.SI": "Exactly Solvable and Integrable Systems",
    # Physics
    "physics.acc-ph": "Accelerator Physics",
    "physics.ao-ph": "Atmospheric and Oceanic Physics",
    "physics.app-ph": "Applied Physics",
    "physics.atm-clus": "Atomic and Molecular Clusters",
    "physics.atom-ph": "Atomic Physics",
    "physics.bio-ph": "Biological Physics",
    "physics.chem-ph": "Chemical Physics",
    "physics.class-ph": "Classical Physics",
    "physics.comp-ph": "Computational Physics",
    "physics.data-an": "Data Analysis, Statistics and Probability",
    "physics.ed-ph": "Physics Education",
    "physics.flu-dyn": "Fluid Dynamics",
    "physics.gen-ph": "General Physics",
    "physics.geo-ph": "Geophysics",
    "physics.hist-ph": "History and Philosophy of Physics",
    "physics.ins-det": "Instrumentation and Detectors",
    "physics.med-ph": "Medical Physics",
    "physics.optics": "Optics",
    "physics.plasm-ph": "Plasma Physics",
    "physics.pop-ph": "Popular Physics",
    "physics.soc-ph": "Physics and Society",
    "physics.space-ph": "Space Physics",
    # Archives that are their own category
    "gr-qc": "General Relativity and Quantum Cosmology",
    "hep-ex": "High Energy Physics - Experiment",
    "hep-lat": "High Energy Physics - Lattice",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-th": "High Energy Physics - Theory",
    "math-ph": "Mathematical Physics",
    "nucl-ex": "Nuclear Experiment",
    "nucl-th": "Nuclear Theory",
    "quant-ph": "Quantum Physics",
}
"""arXiv's category code -> its name, as arXiv's category taxonomy lists them."""


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace("&", "and").split())


def _build_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name in TAXONOMY.items():
        archive = code.split(".", 1)[0] if "." in code else ""
        if archive in _ARCHIVES:
            # as arXiv's pages show a category: "Physics > Chemical Physics"
            names[_name_key(f"{_ARCHIVES[archive]} > {name}")] = code
        names.setdefault(_name_key(name), code)  # a bare name: the first (cs) wins
    return names


_NAMES: dict[str, str] = {}
"""A category's name (`_name_key`) -> its code: built when first asked (start-up work)."""


def category_code(name: str) -> str | None:
    """The arXiv code of a category as the digest names it, or None when it is not one.

    A bare name is a Computer Science category first (digests leave out "Computer Science > "),
    then any other with that name; `Archive > Name` picks the archive; a code stays a code.

    >>> category_code("Computation and Language"), category_code("Physics > Chemical Physics")
    ('cs.CL', 'physics.chem-ph')
    >>> category_code("Statistics > Machine Learning"), category_code("Cooking")
    ('stat.ML', None)
    """
    stripped = name.strip()
    if stripped in TAXONOMY:
        return stripped
    if not _NAMES:
        _NAMES.update(_build_names())
    return _NAMES.get(_name_key(stripped))


# --- metadata ----------------------------------------------------------------------------------


@frozen
class Metadata:
    """What the arXiv API tells of one paper (its id without version)."""

    arxiv_id: str
    title: str = ""
    authors: tuple[str, ...] = ()
    published: date | None = None
    """The date of the first version."""
    updated: date | None = None
    """The date of the latest version."""
    primary_category: str = ""
    """A code such as `cs.LG`."""
    categories: tuple[str, ...] = ()
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    version: int = 0
    """The latest version number (0 when the feed does not tell)."""

    def __init__(  # written out: made for every paper of the metadata cache (`reader.records`)
        self,
        arxiv_id: str,
        title: str = "",
        authors: tuple[str, ...] = (),
        published: date | None = None,
        updated: date | None = None,
        primary_category: str = "",
        categories: tuple[str, ...] = (),
        comment: str = "",
        journal_ref: str = "",
        doi: str = "",
        version: int = 0,
    ) -> None:
        _set = object.__setattr__
        _set(self, "arxiv_id", arxiv_id)
        _set(self, "title", title)
        _set(self, "authors", authors)
        _set(self, "published", published)
        _set(self, "updated", updated)
        _set(self, "primary_category", primary_category)
        _set(self, "categories", categories)
        _set(self, "comment", comment)
        _set(self, "journal_ref", journal_ref)
        _set(self, "doi", doi)
        _set(self, "version", version)

    def to_json(self) -> dict[str, object]:
        return {
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published.isoformat() if self.published else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "primary_category": self.primary_category,
            "categories": list(self.categories),
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, arxiv_id: str, data: object) -> Metadata | None:
        """The metadata `to_json` wrote; None for anything else (a damaged cache row)."""
        if not isinstance(data, dict):
            return None

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        def texts(key: str) -> tuple[str, ...]:
            value = data.get(key)
            if not isinstance(value, list):
                return ()
            return tuple(item for item in value if isinstance(item, str))

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(text(key)) if text(key) else None
            except ValueError:
                return None

        version = data.get("version")
        return cls(
            arxiv_id=arxiv_id,
            title=text("title"),
            authors=texts("authors"),
            published=day("published"),
            updated=day("updated"),
            primary_category=text("primary_category"),
            categories=texts("categories"),
            comment=text("comment"),
            journal_ref=text("journal_ref"),
            doi=text("doi"),
            version=version if type(version) is int and version >= 0 else 0,
        )


class FeedError(Exception):
    """An answer of the API that is not an Atom feed of the expected shape."""


class Feed:
    """One API answer: the papers found, and what the API reported as errors (one line each).
    (A plain class: a dataclass costs an `exec` at import, and this is for fetching only.)"""

    def __init__(
        self, entries: dict[str, Metadata] | None = None, errors: list[str] | None = None
    ) -> None:
        self.entries: dict[str, Metadata] = {} if entries is None else entries
        self.errors: list[str] = [] if errors is None else errors


_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ABS_ID = compiled(
    r"^https?://(?:www\.|export\.)?arxiv\.org/abs/"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$"
)
_SPACES = compiled(r"\s+")


def _clean(text: str | None) -> str:
    """Atom text as one line: arXiv wraps titles and names over lines with indentation."""
    return _SPACES.sub(" ", text or "").strip()


def _day(text: str | None) -> date | None:
    value = (text or "").strip()
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


def parse_feed(body: bytes | str) -> Feed:
    """The entries and errors of an arXiv API answer. Raises FeedError for anything that is not
    an Atom feed (an HTML error page, a truncated body, a DOCTYPE)."""
    from reader.xmlsafe import XMLRefused, parse_xml  # only fetching needs it

    try:
        root = parse_xml(body)  # no DTD anywhere, in any encoding: expat stops at a DOCTYPE
    except XMLRefused as error:
        if error.message.startswith("refused: "):
            raise FeedError("the answer has a DOCTYPE; an Atom feed has none") from None
        raise FeedError(error.message) from None
    if root.tag != f"{_ATOM}feed":
        raise FeedError(f"not an Atom feed (the root element is {root.tag!r})")
    feed = Feed()
    for entry in root.iter(f"{_ATOM}entry"):
        entry_id = _clean(entry.findtext(f"{_ATOM}id"))
        match = _ABS_ID.match(entry_id)
        if match is None:
            if "/api/errors" in entry_id or _clean(entry.findtext(f"{_ATOM}title")) == "Error":
                summary = _clean(entry.findtext(f"{_ATOM}summary")) or entry_id
                feed.errors.append(summary)
            continue  # an entry without an arXiv id (older APIs answered a missing id so)
        arxiv_id = match.group("id")
        primary = entry.find(f"{_ARXIV}primary_category")
        categories = tuple(
            term
            for element in entry.findall(f"{_ATOM}category")
            if (term := (element.get("term") or "").strip())
        )
        feed.entries[arxiv_id] = Metadata(
            arxiv_id=arxiv_id,
            title=_clean(entry.findtext(f"{_ATOM}title")),
            authors=tuple(
                name
                for author in entry.findall(f"{_ATOM}author")
                if (name := _clean(author.findtext(f"{_ATOM}name")))
            ),
            published=_day(entry.findtext(f"{_ATOM}published")),
            updated=_day(entry.findtext(f"{_ATOM}updated")),
            primary_category=(primary.get("term") or "").strip() if primary is not None else "",
            categories=categories,
            comment=_clean(entry.findtext(f"{_ARXIV}comment")),
            journal_ref=_clean(entry.findtext(f"{_ARXIV}journal_ref")),
            doi=_clean(entry.findtext(f"{_ARXIV}doi")),
            version=int(match.group("version") or 0),
        )
    return feed


# --- planning requests -------------------------------------------------------------------------


def batches(ids: Iterable[str], size: int = BATCH_SIZE) -> Iterator[list[str]]:
    """`ids` without versions and duplicates, in order, in lists of at most `size`."""
    seen: dict[str, None] = {}
    for arxiv_id in ids:
        seen.setdefault(_VERSION.sub("", arxiv_id.strip()), None)
    unique = [arxiv_id for arxiv_id in seen if arxiv_id]
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def query_url(base: str, ids: Sequence[str]) -> str:
    """The API request for `ids`: `id_list`, with `max_results` so that none is cut off."""
    separator = "&" if "?" in base else "?"
    query = urlencode({"id_list": ",".join(ids), "max_results": str(len(ids))})
    return f"{base}{separator}{query}"


Transport = Callable[[str], bytes]
"""Fetch a URL, return its body; raises on failure (its own timeout and size rules)."""


class FetchReport:
    """What one `MetadataClient.fetch` did (a plain class, as `Feed` is)."""

    def __init__(self) -> None:
        self.found: dict[str, Metadata] = {}
        self.missing: list[str] = []
        """Ids the API answered for without an entry: arXiv has no such paper."""
        self.errors: list[str] = []
        """One line per failed request or API error entry."""
        self.failed: list[str] = []
        """Ids of the requests that failed: nothing is known of them, not even that they are
        missing."""
        self.requests = 0


class MetadataClient:
    """Fetches metadata for many ids politely: batches of `batch_size`, one request at a time,
    each starting at least `spacing` seconds after the previous one started (also across calls
    of `fetch` on the same client). `clock` is monotonic seconds; `sleep` waits."""

    def __init__(
        self,
        transport: Transport,
        *,
        base_url: str = API_URL,
        batch_size: int = BATCH_SIZE,
        spacing: float = SPACING,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.transport = transport
        self.base_url = base_url
        self.batch_size = batch_size
        self.spacing = spacing
        self.clock = clock
        self.sleep = sleep
        self._last_start: float | None = None

    def fetch(
        self,
        ids: Iterable[str],
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> FetchReport:
        """Metadata for `ids`. A failed request is reported in `errors` and the next batch is
        still tried; `progress(done, total)` follows the ids; `cancelled()` stops between
        requests."""
        plan = list(batches(ids, self.batch_size))
        total = sum(len(batch) for batch in plan)
        report = FetchReport()
        done = 0
        for batch in plan:
            if cancelled is not None and cancelled():
                break
            if self._last_start is not None:
                wait = self._last_start + self.spacing - self.clock()
                if wait > 0:
                    self.sleep(wait)
            self._last_start = self.clock()
            report.requests += 1
            try:
                feed = parse_feed(self.transport(query_url(self.base_url, batch)))
            except FeedError as error:
                report.errors.append(f"arXiv API: {error}")
                report.failed.extend(batch)
            except Exception as error:  # the transport's own errors (timeouts, HTTP status)
                report.errors.append(f"arXiv API: {error}")
                report.failed.extend(batch)
            else:
                report.errors.extend(f"arXiv API: {message}" for message in feed.errors)
                for arxiv_id in batch:
                    found = feed.entries.get(arxiv_id)
                    if found is not None:
                        report.found[arxiv_id] = found
                    elif not feed.errors:
                        report.missing.append(arxiv_id)
                    else:
                        report.failed.append(arxiv_id)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        return report


def enrich(digest: Digest, known: Mapping[str, Metadata]) -> Digest:
    """`digest` with the authors of `known` metadata given to its arXiv papers that have none
    from their source; the same digest when nothing changes."""
    if not known:
        return digest
    changed = False
    papers: list[Paper] = []
    for paper in digest.papers:
        meta = known.get(paper.arxiv_id) if paper.arxiv_id else None
        if meta is not None and meta.authors and not paper.authors:
            paper = replace(paper, authors=meta.authors)
            changed = True
        papers.append(paper)
    if not changed:
        return digest
    enriched = Digest(papers, name=digest.name, source=digest.source, joined=digest.joined)
    enriched.search_store = digest.search_store  # the search text holds no authors
    return enriched


def with_cached_authors(
    digest: Digest, cache: Callable[[Iterable[str]], Mapping[str, Metadata]]
) -> Digest:
    """`enrich` with what `cache` (`MetadataCache.metadata`) holds for the digest's arXiv papers."""
    known = cache(paper.arxiv_id for paper in digest.papers if paper.arxiv_id)
    return enrich(digest, known) if known else digest


# --- names -------------------------------------------------------------------------------------

_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def last_name(name: str) -> str:
    """The family name of "First Last" (or of "Last, First"): the last word before a suffix.

    >>> last_name("Tim Dettmers"), last_name("Guido van Rossum Jr."), last_name("Curie, Marie")
    ('Dettmers', 'Rossum', 'Curie')
    """
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = name.split()
    while len(words) > 1 and words[-1].lower() in _SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def short_authors(authors: Sequence[str]) -> str:
    """A list's short form: `Dettmers`, `Dettmers & Pagnoni`, `Dettmers et al.`; "" for none."""
    if not authors:
        return ""
    if len(authors) == 1:
        return last_name(authors[0])
    if len(authors) == 2:
        return f"{last_name(authors[0])} & {last_name(authors[1])}"
    return f"{last_name(authors[0])} et al."


def ascii_word(text: str) -> str:
    """Letters and digits of `text` folded to lowercase ASCII (`Müller` -> `muller`)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in folded.lower() if char.isalnum())
