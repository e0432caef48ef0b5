"""A text-layer page turned so its text reads left to right, whatever the page's rotation.

pdfplumber applies a page's `/Rotate` to every coordinate: on a page rotated 90 degrees
the characters come back standing on their side, in columns, and no table is found. The
same happens when the content itself is drawn sideways (a landscape table put on a
portrait page by a rotation matrix). Both are one case: the direction the characters run,
which each character's text matrix gives. When most characters run the same way and it is
not left to right, every object (chars, rules, rects, curves, images) is turned by that
quarter so the text stands upright, and the page is read as any other.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from pdfplumber.page import DerivedPage, Page

MAJORITY = 0.6  # share of a page's characters that must run one way to turn the page

Point = tuple[float, float]


def text_direction(page: Page) -> int:
    """The quarter turn (0, 90, 180, 270; clockwise on screen) the page's text runs at."""
    votes: Counter[int] = Counter()
    for ch in page.chars:
        if not ch["text"].strip():
            continue
        a, b = ch["matrix"][:2]
        if a == 0 and b == 0:
            continue
        # (a, b) is the baseline's direction in PDF space (y up); on screen y points down.
        angle = math.degrees(math.atan2(-b, a)) % 360
        votes[int(round(angle / 90.0)) % 4 * 90] += 1
    total = sum(votes.values())
    if not total:
        return 0
    direction, count = votes.most_common(1)[0]
    return direction if count >= MAJORITY * total else 0


def upright_page(page: Page) -> Page:
    """The page itself when its text already reads left to right, else a turned copy."""
    direction = text_direction(page)
    return TurnedPage(page, direction) if direction else page


class TurnedPage(DerivedPage):
    """`parent_page` turned counter-clockwise by `direction` degrees (its text's own turn)."""

    def __init__(self, parent_page: Page, direction: int):
        width, height = float(parent_page.width), float(parent_page.height)
        self.direction = direction
        self._point = _turn(direction, width, height)
        if direction in (90, 270):
            width, height = height, width
        self.bbox = (0, 0, width, height)
        super().__init__(parent_page)

    @property
    def objects(self) -> dict[str, list[dict]]:
        if hasattr(self, "_objects"):
            return self._objects
        self._objects: dict[str, list[dict]] = {
            kind: [self._turned(obj) for obj in objs]
            for kind, objs in self.parent_page.objects.items()
        }
        return self._objects

    def _turned(self, obj: dict) -> dict:
        out = dict(obj)
        corners = [self._point(obj["x0"], obj["top"]), self._point(obj["x1"], obj["bottom"])]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
        out["x0"], out["x1"] = min(xs), max(xs)
        out["top"], out["bottom"] = min(ys), max(ys)
        out["width"], out["height"] = out["x1"] - out["x0"], out["bottom"] - out["top"]
        out["y0"], out["y1"] = self.height - out["bottom"], self.height - out["top"]
        out["doctop"] = obj["doctop"] - obj["top"] + out["top"]
        if "pts" in obj:
            out["pts"] = [self._point(x, y) for x, y in obj["pts"]]
        if "path" in obj:
            out["path"] = [(op, *(self._point(x, y) for x, y in pts))
                           for op, *pts in obj["path"]]
        if "matrix" in obj:
            out["matrix"] = _turned_matrix(obj["matrix"], self.direction)
        if obj.get("object_type") == "char":
            out["upright"] = True
        return out


def _turn(direction: int, width: float, height: float) -> Callable[[float, float], Point]:
    """Screen point (x right, y down) → the same point once the page is turned upright."""
    if direction == 90:  # text runs down the screen: turn the page a quarter anticlockwise
        return lambda x, y: (y, width - x)
    if direction == 180:
        return lambda x, y: (width - x, height - y)
    return lambda x, y: (height - y, x)  # 270: text runs up the screen


def _turned_matrix(matrix: tuple, direction: int) -> tuple:
    """The text matrix once turned: its linear part rotated with the page (y up)."""
    a, b, c, d, e, f = matrix
    quarters = direction // 90
    for _ in range(quarters):  # each step turns the baseline a quarter anticlockwise (y up)
        a, b, c, d = -b, a, -d, c
    return (a, b, c, d, e, f)
