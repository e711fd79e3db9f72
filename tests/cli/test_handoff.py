"""The README's hand-offs to reference managers, run as written: BibTeX from `reader --print`
into papis (installed by the test extra; skipped with the reason when it is not)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shell(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`command` in sh, with `python` and `reader` from this interpreter, a home of its own,
    and every proxy pointed at a closed port on 127.0.0.1 (nothing may reach the network)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
    )
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    python = shlex.quote(sys.executable)
    prelude = "".join(
        f'{name}() {{ {python} -m {name} "$@"; }}; ' for name in ("reader", "papis")
    )
    return subprocess.run(
        ["sh", "-c", prelude + command],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=120,
        check=False,
    )


def papis_titles(library: Path) -> list[str]:
    import yaml  # type: ignore[import-untyped,unused-ignore]  # papis's own dependency

    titles = []
    for info in sorted(library.glob("*/info.yaml")):
        data = yaml.safe_load(info.read_text(encoding="utf-8"))
        titles.append(data["title"])
    return sorted(titles)


def test_a_week_goes_into_papis_through_a_pipe(tmp_path: Path) -> None:
    pytest.importorskip("papis", reason="papis is not installed (the test extra installs it)")
    library = tmp_path / "papers"
    library.mkdir()
    done = shell(
        "reader --print --format bibtex --week 2023-05-28 "
        f"| papis -l {shlex.quote(str(library))} bibtex read /dev/stdin import --all",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    listed = shell("reader --print --format json --week 2023-05-28", tmp_path)
    expected = sorted(paper["title"] for paper in json.loads(listed.stdout))
    assert len(expected) == 10
    assert papis_titles(library) == expected


def test_one_paper_goes_into_papis_from_a_file(tmp_path: Path) -> None:
    pytest.importorskip("papis", reason="papis is not installed (the test extra installs it)")
    library = tmp_path / "papers"
    library.mkdir()
    done = shell(
        "reader --print --format bibtex --query 'qlora' > qlora.bib && "
        f"papis -l {shlex.quote(str(library))} add --batch --from bibtex qlora.bib",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert papis_titles(library) == ["QLoRA: Efficient Finetuning of Quantized LLMs"]
    (info,) = library.glob("*/info.yaml")
    text = info.read_text(encoding="utf-8")
    assert "eprint: '2305.14314'" in text and "url: https://arxiv.org/abs/2305.14314" in text
