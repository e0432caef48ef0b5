"""Seal rings printed black: a fax or a binarised scan leaves a red seal no colour to be
told by, and its ring is as dark as the rules. Near its left and right edges the ring
runs almost upright for a row's height and reads as a column rule; near its top and
bottom, as a row rule. Found as circles of a seal's size, the ring (and the solid star
inside it, see lines._blots) is kept out of where the table's rules are looked for, and
erased with the rules before the cells are read (ocr/page.py doubts a cell whose print it
crossed).
"""

from __future__ import annotations

import cv2
import numpy as np

RADIUS_IN = (0.55, 1.0)  # official seals are 38-50 mm across
SCALE = 4  # circles are searched at a quarter of the resolution: a ring is still ~2 px
PERFECT = 0.8  # HOUGH_GRADIENT_ALT's circle perfectness: a seal's ring is a true circle
RING_INK = 0.6  # share of the circle's length that must be ink (a ring, not a few arcs)
BAND_PX = 15  # radii searched either side of the found one for the ring's own width


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
