"""PDF text with page boundaries, through pypdf."""

from __future__ import annotations

import io

from ledger.corpus import normalise
from ledger.errors import InputError


def pdf_text(url: object, body: bytes) -> tuple[str, list[int]]:
    """A PDF's text, pages separated by a blank line, and the offset where each page starts."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        pages = [normalise(p.extract_text() or "").strip() for p in reader.pages]
    except Exception as e:  # pypdf raises many types for a damaged file
        raise InputError(f"{url}: not a readable PDF ({type(e).__name__})") from None
    if not any(pages):
        raise InputError(f"{url}: the PDF has no text layer (a scan?); OCR it first")
    starts, text = [], ""
    for page in pages:
        if text:
            text += "\n\n"
        starts.append(len(text))
        text += page
    return text, starts
