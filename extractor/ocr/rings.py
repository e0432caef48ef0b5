"""Seal rings printed black: a fax or a binarised scan leaves a red seal no colour to be
told by, and its ring is as dark as the rules. Near its left and right edges the ring
runs almost upright for a row's height and reads as a column rule; near its top and
bottom, as a row rule. Found as circles of a seal's size, the ring (and the solid star
inside it, `seal_star`) is kept out of where the table's rules are looked for, and
erased with the rules before the cells are read; a cell whose print it crossed is doubted
(`crossed_by_seal`). A table without rules is read off the seal the same way
(`black_seal`, ocr/unruled.py).
"""

from __future__ import annotations

import cv2
import numpy as np

RADIUS_IN = (0.55, 1.0)  # official seals are 38-50 mm across
SCALE = 4  # circles are searched at a quarter of the resolution: a ring is still ~2 px
PERFECT = 0.8  # HOUGH_GRADIENT_ALT's circle perfectness: a seal's ring is a true circle
RING_INK = 0.6  # share of the circle's length that must be ink (a ring, not a few arcs)
BAND_PX = 15  # radii searched either side of the found one for the ring's own width
BLOT_IN = 0.08  # ink this thick every way (inches) in a black seal is its star (bold type ~0.05)
SHELL_PX = 7  # how far past the ring's erased band a crossing stroke is looked for


def seal_ring_mask(binary: np.ndarray, dpi: float) -> np.ndarray | None:
    """255 on the ring of every black seal on the page (a little wider than its ink)."""
    small = cv2.resize(binary, None, fx=1 / SCALE, fy=1 / SCALE, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (3, 3), 0)
    found = cv2.HoughCircles(
        255 - small, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=dpi * RADIUS_IN[0] / SCALE,
        param1=300, param2=PERFECT, minRadius=int(dpi * RADIUS_IN[0] / SCALE),
        maxRadius=int(dpi * RADIUS_IN[1] / SCALE),
    )
    if found is None:
        return None
    mask = np.zeros_like(binary)
    for cx, cy, r in found[0] * SCALE:
        cx, cy = _centred(binary, cx, cy, r)
        band = _ring_band(binary, cx, cy, r)
        if band is not None:
            inner, outer = band
            cv2.circle(mask, (round(cx), round(cy)), round((inner + outer) / 2),
                       255, thickness=max(round(outer - inner), 1))
    return mask if mask.any() else None


def black_seal(binary: np.ndarray, dpi: float) -> np.ndarray | None:
    """255 on every black seal's ring and star, or None when the page has none."""
    rings = seal_ring_mask(binary, dpi)
    if rings is None:
        return None
    return cv2.bitwise_or(rings, seal_star(binary, seal_discs(rings), dpi))


def seal_star(ink: np.ndarray, discs: np.ndarray, dpi: float) -> np.ndarray:
    """255 on the solid blots of `ink` within a black seal (`discs`), its star: thicker
    every way than any stroke of print."""
    blot = np.ones((max(int(dpi * BLOT_IN), 5),) * 2, np.uint8)
    solid = cv2.morphologyEx(cv2.bitwise_and(ink, discs), cv2.MORPH_OPEN, blot)
    return cv2.dilate(solid, np.ones((5, 5), np.uint8))


def crossed_by_seal(ink: np.ndarray, seal: np.ndarray, boxes: list[tuple[int, int, int, int]],
                    rules: np.ndarray | None = None) -> list[int]:
    """The boxes (x0, y0, x1, y1 in the masks' pixels) whose print a black seal's ring
    (`seal`, 255) runs through. The ring is erased before the print is read, and with it
    the strokes it crossed: what is left of a glyph may read as another (a 1 cut in two,
    an 8 that lost its waist). A ring that only passes by the glyphs takes nothing from
    them. Ink just off the ring that is a rule (`rules`) carries no glyph on."""
    ring = seal > 0
    shell = cv2.dilate(seal, np.ones((SHELL_PX, SHELL_PX), np.uint8)) > 0
    leaving = (ink > 0) & shell & ~(ring if rules is None else rules > 0)
    crossed = []
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        inner = (slice(max(y0, 0), max(y1, 0)), slice(max(x0, 0), max(x1, 0)))
        if ring[inner].any() and leaving[inner].any():
            crossed.append(i)
    return crossed


def seal_discs(rings: np.ndarray) -> np.ndarray:
    """255 inside every ring of `rings` (see `seal_ring_mask`): where its star and
    lettering are."""
    contours, _ = cv2.findContours(rings, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    discs = np.zeros_like(rings)
    cv2.drawContours(discs, contours, -1, 255, thickness=cv2.FILLED)
    return discs


def _centred(binary: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float]:
    """The circle's centre to the pixel: found at a quarter of the resolution, it may be
    off by a few pixels, and the ring's band would miss its ink on one side."""
    angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    best, at = -1.0, (cx, cy)
    for dy in range(-SCALE, SCALE + 1):
        for dx in range(-SCALE, SCALE + 1):
            inked = max(_ink_share(binary, cx + dx, cy + dy, radius, angles)
                        for radius in np.arange(r - SCALE, r + SCALE + 1, 2))
            if inked > best:
                best, at = inked, (cx + dx, cy + dy)
    return at


def _ring_band(binary: np.ndarray, cx: float, cy: float,
               r: float) -> tuple[float, float] | None:
    """The radii the ring's ink spans, padded by two pixels; None when the circle is not
    mostly ink at any radius near `r` (a ring of text, a round pattern of cells)."""
    angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    radii = np.arange(max(r - BAND_PX, 1), r + BAND_PX + 1)
    share = [_ink_share(binary, cx, cy, radius, angles) for radius in radii]
    peak = int(np.argmax(share))
    if share[peak] < RING_INK:
        return None
    lo = hi = peak
    while lo > 0 and share[lo - 1] >= share[peak] / 2:
        lo -= 1
    while hi < len(radii) - 1 and share[hi + 1] >= share[peak] / 2:
        hi += 1
    return float(radii[lo]) - 2, float(radii[hi]) + 2



def _ink_share(binary: np.ndarray, cx: float, cy: float, radius: float,
               angles: np.ndarray) -> float:
    """The share of the circle (sampled at `angles`) that falls on ink."""
    h, w = binary.shape
    xs = np.clip(np.round(cx + radius * np.cos(angles)).astype(int), 0, w - 1)
    ys = np.clip(np.round(cy + radius * np.sin(angles)).astype(int), 0, h - 1)
    return float((binary[ys, xs] > 0).mean())
