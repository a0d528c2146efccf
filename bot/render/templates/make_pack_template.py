"""Regenerate pack.docx, the house style of the committee paper:

    .venv/bin/python bot/render/templates/make_pack_template.py

A council can give its own Word template instead (`improvement-bot pack --template FILE`);
the paper uses these styles when the template has them: Title, Subtitle, Heading 1,
Heading 2, Table Grid, Caption, and "Pack Table Text" for the text in tables.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).parent
NAVY = RGBColor(0x1F, 0x3A, 0x5F)


def _page_field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): python-docx has no API for fields, so this one element
    is built with its oxml helpers."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def build(path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for name, size in (("Title", 24), ("Heading 1", 16), ("Heading 2", 13)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = NAVY
        style.font.bold = True
    styles["Subtitle"].font.name = "Arial"
    styles["Caption"].font.name = "Arial"
    styles["Caption"].font.size = Pt(9)
    styles["Caption"].font.bold = False
    styles["Caption"].font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    table_text = styles.add_style("Pack Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_after = Pt(0)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _page_field(footer, "PAGE")
    footer.add_run(" of ")
    _page_field(footer, "NUMPAGES")

    document.core_properties.title = "Improvement board pack"
    document.core_properties.author = "improvement-bot"
    document.save(str(path))


if __name__ == "__main__":
    build(HERE / "pack.docx")
