"""The review app: people decide flagged cells beside the page they came from.

`create_app(db)` builds the FastAPI app over a results database; `extractor serve` runs
it (see cli_serve.py). Routes in app.py, page images and crops in crops.py, access
control in security.py, the tables' printed layout in layout.py.
"""

from extractor.web.app import create_app

__all__ = ["create_app"]
