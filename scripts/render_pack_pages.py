"""Render the demo board's committee paper to page images, to look at without Word.

    .venv/bin/python scripts/render_pack_pages.py [--out DIR] [--start 2019-05-16T08:00Z]

Loads the sandbox's demo (board, plan, people, a few weeks of history) into a throwaway
SQLite database with the clock at `--start`, builds the paper for the demo board's next
meeting as `improvement-bot pack --format docx` would, converts it to PDF with LibreOffice
(`soffice`) and each PDF page to a PNG with poppler's `pdftoppm`. Writes DIR/pack.docx,
DIR/pack.pdf and DIR/page-1.png, page-2.png … and prints their paths.

Needs LibreOffice and poppler-utils (Debian: `apt-get install libreoffice-writer-nogui
poppler-utils`); without them it says so and exits 2. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.clock import ManualClock
from bot.render.paper_docx import paper_docx
from bot.sandbox.demo import BOARD_NAME, DEMO_USERS, load_demo
from bot.sandbox.local import LocalBot
from bot.services.paper import BoardPaper

DEFAULT_START = "2019-05-16T08:00:00+00:00"  # the sandbox tests' Thursday morning


def demo_paper(start: dt.datetime, folder: Path) -> BoardPaper:
    """The demo board's paper for its next meeting, as things stand at `start`."""
    local = LocalBot(f"sqlite:///{folder / 'demo.db'}", ManualClock(start), users=DEMO_USERS)
    local.start()
    try:
        demo = load_demo(local)
        now = local.clock.now()
        pack = local.services.operator.pack(BOARD_NAME, demo.next_meeting, "docx", now)
        assert isinstance(pack.contents, BoardPaper)
        return pack.contents
    finally:
        local.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("pack-pages"), help="where to write")
    parser.add_argument("--start", default=DEFAULT_START, help="the demo's clock (ISO)")
    parser.add_argument("--dpi", type=int, default=80, help="page image resolution")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(
            f"render_pack_pages: {' and '.join(missing)} not found; install LibreOffice and "
            "poppler-utils (apt-get install libreoffice-writer-nogui poppler-utils).",
            file=sys.stderr,
        )
        return 2
    start = dt.datetime.fromisoformat(args.start)
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        paper = demo_paper(start, folder)
        docx = out / "pack.docx"
        docx.write_bytes(paper_docx(paper))
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/lo",
             "--convert-to", "pdf", "--outdir", str(out), str(docx)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    for old in out.glob("page-*.png"):
        old.unlink()
    pdf = out / "pack.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(args.dpi), str(pdf), str(out / "page")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pages = sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    for index, page in enumerate(pages, start=1):  # pdftoppm pads: page-01.png
        page.rename(out / f"page-{index}.png")
    print(docx)
    print(pdf)
    for index in range(1, len(pages) + 1):
        print(out / f"page-{index}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
