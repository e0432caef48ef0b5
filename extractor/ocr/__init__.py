"""The OCR path: scanned pages, photos and PDFs whose text layer is garbled.

Entry point: `read_page_image(image, page_number, dpi, engine=None) -> OcrPage`, whose
`grids` are the same `Grid` type the text path produces (source="ocr", bboxes in PDF
points, per-cell confidence and reasons). Cells with confidence below
`OCR_FLAG_THRESHOLD` must be flagged.
"""

from extractor.ocr.engines import OcrEngine, Reading, available_engines, get_engine
from extractor.ocr.page import OcrPage, read_page_image
from extractor.ocr.reading import OCR_FLAG_THRESHOLD

__all__ = [
    "OCR_FLAG_THRESHOLD",
    "OcrEngine",
    "OcrPage",
    "Reading",
    "available_engines",
    "get_engine",
    "read_page_image",
]
