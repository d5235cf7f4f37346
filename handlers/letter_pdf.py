"""A letter's text as a printable A4 PDF (WeasyPrint): the landlord's heading, then the text,
a paragraph per blank-line-separated block, with its line breaks kept."""

from __future__ import annotations

from html import escape

from weasyprint import HTML

STYLE = """
@page { size: A4; margin: 25mm 22mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 11pt; line-height: 1.45; color: #0b0c0c; }
header { border-bottom: 2px solid #1d70b8; margin-bottom: 12mm; padding-bottom: 3mm; }
header strong { font-size: 14pt; }
p { margin: 0 0 4mm; white-space: pre-wrap; }
"""


def letter_pdf(title: str, text: str) -> bytes:
    paragraphs = [block.strip("\n") for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    body = "".join(f"<p>{escape(block)}</p>" for block in paragraphs)
    html = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><header><strong>Community Safety Team</strong></header>"
        f"{body}</body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    if pdf is None:  # only when writing to a target; kept for the type checker
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
