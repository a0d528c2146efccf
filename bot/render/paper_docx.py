"""The committee paper as a Word document (.docx), laid out with python-docx on a template.

Headings, table style and page numbers come from the template: the one shipped in
bot/render/templates/pack.docx, or a council's own (`--template`). A style the template lacks
falls back to Word's default, so any .docx works as a template. The template's own body text
is dropped; its page set-up, headers and footers stay.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Cm
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.core.errors import UserError
from bot.render.paper import (
    Block,
    Figure,
    Heading,
    Options,
    PageBreak,
    Paragraph,
    Table,
    paper_blocks,
)
from bot.services.paper import BoardPaper

TABLE_STYLE = "Table Grid"
TABLE_TEXT_STYLE = "Pack Table Text"
FIGURE_WIDTH = Cm(14.5)  # leaves the summary's chart room on its page


class BadTemplate(UserError):
    pass


def default_template() -> Path:
    return Path(str(resources.files("bot.render") / "templates" / "pack.docx"))


def _open_template(template: Path | None) -> DocxDocument:
    path = template or default_template()
    try:
        document = Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise BadTemplate(
            f"I can't use {path} as a Word template ({type(error).__name__}). "
            "Give a .docx file saved from Word or LibreOffice."
        ) from None
    body = document.element.body
    for element in list(body):
        if not element.tag.endswith("}sectPr"):
            body.remove(element)
    return document


def _style(document: DocxDocument, name: str) -> str | None:
    try:
        document.styles[name]
    except KeyError:
        return None
    return name


def _table(document: DocxDocument, block: Table) -> None:
    header = 1 if block.header else 0
    columns = len(block.header) if block.header else len(block.rows[0])
    table = document.add_table(rows=header + len(block.rows), cols=columns)
    table.autofit = False
    for column, width in zip(table.columns, block.widths_cm, strict=False):
        column.width = Cm(width)  # the grid, which LibreOffice follows; Word follows the cells
    style = _style(document, TABLE_STYLE)
    if style:
        table.style = style
    text_style_id = (
        document.part.get_style_id(document.styles[TABLE_TEXT_STYLE], WD_STYLE_TYPE.PARAGRAPH)
        if _style(document, TABLE_TEXT_STYLE)
        else None
    )
    rows = ([block.header] if block.header else []) + list(block.rows)
    last = len(rows) - 1
    # Row by row: table.cell(r, c) walks every cell of the table on each call.
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        bold_row = (header and r == 0) or (block.total_row and r == last)
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            if text_style_id:
                # Setting paragraph.style looks the style up among all styles on every call;
                # a 2,000-action plan's tables would take a minute.
                paragraph._p.style = text_style_id
            run = paragraph.add_run(value)
            if bold_row or (not block.header and c == 0):
                run.bold = True
            if c < len(block.widths_cm):
                cell.width = Cm(block.widths_cm[c])
    document.add_paragraph()


def paper_docx(
    paper: BoardPaper, template: Path | None = None, blocks: list[Block] | None = None
) -> bytes:
    """The paper as .docx bytes: a pure function of the paper and the template file
    (`blocks`: the paper's blocks when already made, charts drawn, so they are drawn once)."""
    document = _open_template(template)
    caption_style = _style(document, "Caption")
    new_page = False  # a page break starts the next paragraph on a new page
    for block in blocks if blocks is not None else paper_blocks(paper, Options(charts=True)):
        if isinstance(block, PageBreak):
            new_page = True
            continue
        body = document.element.body
        start = len(body) - (1 if len(body) and body[-1].tag.endswith("}sectPr") else 0)
        if isinstance(block, Heading):
            if block.level == 0:
                document.add_paragraph(block.text, style=_style(document, "Title"))
            elif _style(document, f"Heading {block.level}"):
                document.add_heading(block.text, block.level)
            else:
                document.add_paragraph().add_run(block.text).bold = True
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(block.text)
            run.italic = block.emphasis
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Figure):
            shape = document.add_picture(io.BytesIO(block.chart.png), width=FIGURE_WIDTH)
            # Word and screen readers read a picture's alt text from its docPr description.
            shape._inline.docPr.set("descr", block.chart.alt_text)
            shape._inline.docPr.set("title", block.title)
            document.add_paragraph(block.caption, style=caption_style)
        if new_page:
            # Page break before the block's first paragraph, not as a paragraph of its own: a
            # page already full would otherwise carry the break over and leave one blank.
            first = document.element.body[start]
            if first.tag.endswith("}p"):
                DocxParagraph(first, document).paragraph_format.page_break_before = True
            new_page = False
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
