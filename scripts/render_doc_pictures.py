"""Regenerate the pictures in docs/img/ (and the sample HTML report) from the lab's captures.

Run from the repository root: `make docs-pictures`, or `python scripts/render_doc_pictures.py`.
"""

from __future__ import annotations

from pathlib import Path

from vrrpcap.render.html import render_html
from vrrpcap.render.plot import render_plot
from vrrpcap.report import Report

ROOT = Path(__file__).resolve().parents[1]

PICTURES = {
    "failover.png": "v2-failover-kill.pcap",
    "split-brain.png": "v2-split-brain.pcap",
    "vrid-collision.png": "v2-vrid-collision.pcap",
    "graceful-stop.png": "v2-graceful-stop.pcap",
}
HTML_SAMPLE = ("report-split-brain.html", "v2-split-brain.pcap")


def audit(paths: list[Path]) -> Report:
    try:
        from vrrpcap.api import audit as api_audit  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        pass
    else:
        report: Report = api_audit([str(p) for p in paths])
        return report
    from vrrpcap.frames import CaptureSet
    from vrrpcap.pipeline import AdvertStream, Pipeline

    with CaptureSet([str(p) for p in paths]) as captures:
        return Pipeline().run(AdvertStream(captures))


def main() -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    for name, pcap in PICTURES.items():
        info = render_plot(audit([ROOT / "pcaps" / pcap]), out / name)
        print(
            f"{', '.join(str(f.relative_to(ROOT)) for f in info.files)}: {info.bars} bars, "
            f"{info.failover_markers} failovers, {info.red_markers} red markers"
        )
    name, pcap = HTML_SAMPLE
    with open(out / name, "w", encoding="utf-8") as handle:
        render_html(audit([ROOT / "pcaps" / pcap]), handle)
    print(f"docs/img/{name}")


if __name__ == "__main__":
    main()
