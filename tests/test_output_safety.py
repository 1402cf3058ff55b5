"""Every string from a capture is data, in every output format.

Hostile strings are put in every field that reaches an output: the pcapng interface name (if_name),
the capture's file name, and a VRRPv2 simple-auth password (shown only with --show-secrets). Each
format must stay valid (strict JSON, well-formed XML that passes its schema, CSV without formulas,
markdown without injected blocks or HTML, HTML without injected elements, PNG metadata without them)
and nothing may reach a terminal raw: no ESC sequence but rich's own colours, no BEL, no NUL, no OSC 8
link, no rich markup obeyed, no forged line. No password appears anywhere without --show-secrets.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.forge import pcap_of, pcapng_of, split_brain
from tests.terminal import on_terminal

# Starts like a spreadsheet formula; retitles the terminal, opens an OSC 8 link, holds rich markup
# (a closing tag that crashed rich, a link rich obeyed), a newline that forges a markdown heading,
# raw HTML, table-cell bars, a backspace and a NUL.
IFACE = (
    '=HYPERLINK("http://evil")\x1b]0;owned\x07\x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\'
    "[/][link=http://evil]click[/link]\n# Injected <script>alert(1)</script> |cell|\x08\x00end"
)
PASSWORD = b"\x1b[2J\x07\n=@"  # 8 bytes: clears the screen, rings, breaks the line, starts a formula
FILE_NAME = "cap\x1b[31m[/]\n=1+1 <i>.pcap"  # "[/]" across a folder and its file: rich's crash, in a path
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stderr and "MarkupError" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    return done


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    adverts = split_brain(password=PASSWORD)
    named = folder / "iface.pcapng"
    named.write_bytes(pcapng_of(adverts, interface=IFACE))
    path = folder / FILE_NAME
    path.parent.mkdir()
    path.write_bytes(pcap_of(adverts))
    return {"interface": named, "path": path}


def no_raw_controls(text: str) -> None:
    assert not RAW_CONTROLS.search(text.replace("\x1b", "")), "a raw control character"
    assert "\x1b" not in text, "an ESC reached the output"


def no_secret(text: str) -> None:
    for shown in ("\x1b[2J", "[2J", "\\x1b[2J\\x07", "=@"):
        assert shown not in text, f"the password ({shown!r}) without --show-secrets"


@pytest.mark.parametrize("field", ["interface", "path"])
def test_text_outputs_show_capture_strings_as_data(hostile: dict[str, Path], field: str) -> None:
    capture = str(hostile[field])
    for args in (("audit",), ("audit", "--verbose"), ("timeline",), ("decode",)):
        text = run(*args, capture).stdout
        no_raw_controls(text)
        no_secret(text)
        shown = IFACE if field == "interface" else FILE_NAME
        command: str = args[0]
        if field == "path" and command != "timeline":  # the input summary names the file
            assert "\\x1b[31m[/]\\x0a=1+1 <i>.pcap" in text, "control characters shown as escapes"
        if field == "interface" and command == "audit":  # in the id: percent-escaped, markup left as text
            assert "[link=http:%2F%2Fevil]click[%2Flink]" in text, "markup shown, not obeyed"
        assert shown.split("\n")[1][:12] not in [line[:12] for line in text.splitlines()], "a forged line"
    table = run("decode", "--show-secrets", capture).stdout
    no_raw_controls(table)
    assert "password \\x1b[2J\\x07\\x0a=@" in table


def test_a_terminal_gets_only_rich_colours(hostile: dict[str, Path]) -> None:
    for args in (("audit",), ("timeline",), ("decode", "--show-secrets")):
        text_raw = on_terminal(*args, str(hostile["interface"]), columns=120, raw=True)
        sequences = re.findall(r"\x1b(.)", text_raw)
        assert set(sequences) <= {"["}, f"{args}: a non-CSI escape (OSC title or link) reached the terminal"
        assert not re.search(r"\x1b\[[0-9;?]*[^0-9;?m]", text_raw.replace("\x1b[?25l", "").replace("\x1b[?25h", "")), (
            f"{args}: a terminal control other than colour"
        )
        assert "\x07" not in text_raw and "\x00" not in text_raw and "\x08" not in text_raw
        assert "\x1b]8;;" not in text_raw, "an OSC 8 link"


def strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"non-JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("field", ["interface", "path"])
def test_json_outputs_are_strict_and_carry_the_strings_exactly(hostile: dict[str, Path], field: str) -> None:
    capture = str(hostile[field])
    report = strict_json(run("audit", "-f", "json", capture).stdout)
    assert isinstance(report, dict)
    no_secret(json.dumps(report, ensure_ascii=False))
    if field == "interface":
        assert report["virtual_routers"][0]["interface"] == IFACE
    else:
        assert report["inputs"][0]["path"] == capture
    strict_json(run("timeline", "-f", "json", capture).stdout)
    records = [strict_json(line) for line in run("decode", "-f", "jsonl", capture).stdout.splitlines()]
    assert all(r["auth_data"] == "<redacted>" for r in records if isinstance(r, dict) and r["auth_type"] == 1)
    shown = [strict_json(line) for line in run("decode", "-f", "jsonl", "--show-secrets", capture).stdout.splitlines()]
    assert {r["auth_data"] for r in shown if isinstance(r, dict)} == {PASSWORD.decode()}
    document = strict_json(run("decode", "-f", "json", capture).stdout)
    assert isinstance(document, dict) and document["adverts"]


def test_csv_cells_never_start_a_formula(hostile: dict[str, Path]) -> None:
    capture = str(hostile["interface"])
    for args in (("decode", "-f", "csv", "--show-secrets"), ("timeline", "-f", "csv")):
        rows = list(csv.reader(io.StringIO(run(*args, capture).stdout)))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], f"{args}: a formula cell"
        assert any(c.startswith("'=HYPERLINK") for c in cells) or args[0] == "timeline"
    decoded = list(csv.DictReader(io.StringIO(run("decode", "-f", "csv", capture).stdout)))
    assert {row["auth_data"] for row in decoded if row["auth_type"] == "1"} == {"<redacted>"}


@pytest.mark.parametrize("field", ["interface", "path"])
def test_junit_and_sarif_stay_valid(hostile: dict[str, Path], field: str, tmp_path: Path) -> None:
    import xmlschema

    capture = str(hostile[field])
    junit = run("audit", "-f", "junit", "--fail-on", "info", capture).stdout
    ET.fromstring(junit.encode())  # well-formed XML 1.0
    xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit.xsd")).validate(io.StringIO(junit))
    no_raw_controls(junit)
    no_secret(junit)
    sarif = strict_json(run("audit", "-f", "sarif", capture).stdout)
    from tests.test_output_machines import github_problems, oasis_sarif_schema, strict_validate

    strict_validate(sarif, oasis_sarif_schema())
    assert isinstance(sarif, dict) and github_problems(sarif) == []
    no_secret(json.dumps(sarif, ensure_ascii=False))


@pytest.mark.parametrize("field", ["interface", "path"])
def test_markdown_has_no_injected_block_or_html(hostile: dict[str, Path], field: str) -> None:
    text = run("audit", "-f", "markdown", "--verbose", str(hostile[field])).stdout
    no_raw_controls(text)
    no_secret(text)
    headings = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert headings == ["# VRRP audit", "## Virtual routers", "## Findings"]
    prose = re.sub(r"(`+)(.+?)\1", "", text)  # code spans show HTML as text (CommonMark 6.1)
    assert not re.search(r"(?<!\\)<(script|i|b)\b", prose), "raw HTML from the capture"
    for line in text.splitlines():
        if line.startswith("| "):
            cells = re.split(r"(?<!\\)\|", line)
            header_cells = 7 if "| severity" in text and line.count("`VRRP-") else None
            assert header_cells is None or len(cells) == header_cells + 2, line


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@pytest.mark.parametrize("field", ["interface", "path"])
def test_html_has_no_injected_element(hostile: dict[str, Path], field: str, tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    run("report", "-o", str(page), str(hostile[field]))
    html = page.read_text()
    no_secret(html)
    parser = _Elements()
    parser.feed(html)
    assert parser.tags.count("script") == 2, "the page's data and code only"
    assert "<script>alert" not in html and "<i>.pcap" not in html
    assert "\x1b" not in html and "\x07" not in html


def png_text(path: Path) -> list[bytes]:
    """The tEXt, zTXt and iTXt chunks of a PNG (its metadata)."""
    data, chunks, offset = path.read_bytes(), [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind in (b"tEXt", b"iTXt"):
            chunks.append(body)
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\x00")
            chunks.append(key + b"\x00" + zlib.decompress(rest[1:]))
        offset += 12 + length
    return chunks


@pytest.mark.parametrize("field", ["interface", "path"])
def test_png_metadata_carries_no_capture_string(hostile: dict[str, Path], field: str, tmp_path: Path) -> None:
    picture = tmp_path / "t.png"
    run("timeline", "--plot", str(picture), str(hostile[field]))
    metadata = b"".join(png_text(picture))
    assert metadata, "the PNG has its metadata"
    for hostile_bytes in (IFACE.encode(), FILE_NAME.encode(), PASSWORD, b"evil", b"<script"):
        assert hostile_bytes not in metadata
    svg = tmp_path / "t.svg"
    run("timeline", "--plot", str(svg), str(hostile[field]))
    drawing = svg.read_text()
    assert "<script" not in drawing and "\x1b" not in drawing
    ET.fromstring(drawing.encode())
