"""Clean a page image before line detection and OCR.

Order matters: stamps and colour fills go first (so a red seal neither breaks a ruled
line nor adds strokes to a digit), then uneven light, then a gray seal (no colour left:
told from print by the thickness of its ring and star), then the geometry (skew and small
perspective), estimated from the long ruled lines of the page itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractor.ocr.components import components

MIN_WARP_PX = 0.75  # corners moving less than this: leave the image alone (no resampling blur)
MAX_TEXT_TILT_DEG = 3.0  # text tilted more than this is not levelled (a scan is rarely worse)
TEXT_TILT_DPI = 75  # resolution at which the tilt of text lines is judged
MAX_TILT_DEG = 8.0  # lines tilted more than this are not ruled table lines
LINE_FIT_DPI = 150  # resolution at which the long lines that set the page's geometry are found
PAPER_DPI = 50  # resolution at which the sheet of paper is told from the desk around it
SEAL_LIFT = 140  # a coloured pixel brighter than this in its brightest channel is stamp ink
SEAL_SHADE = 40  # ...and so is one within this of the stamp's own level in that channel
THICK_IN = 0.035  # ink this thick (inches, ~2.5 pt) is no print stroke: a seal's ring, a fill
SEAL_PART_IN = 0.3  # a thick blob this long (inches, longer than a glyph) is a seal or a fill
LIGHT_INK = 110  # thick ink lighter than this is a seal or a tint (thick print is black)
LIGHT_BAND_ROWS = 128  # rows divided at a time when light is normalised (kept in cache)


@dataclass
class Prepared:
    gray: np.ndarray  # cleaned grayscale, dark ink on white
    binary: np.ndarray  # ink = 255
    to_original: np.ndarray  # 3x3 homography: prepared pixel -> input pixel
    stamp: np.ndarray | None = None  # 255 where a seal or stamp was turned to paper

    def warped(self, homography: np.ndarray) -> Prepared:
        """This image straightened by `homography` (which maps it to the straight one)."""
        h, w = self.gray.shape
        gray = cv2.warpPerspective(self.gray, homography, (w, h), flags=cv2.INTER_LINEAR,
                                   borderValue=255)
        stamp = None if self.stamp is None else cv2.warpPerspective(
            self.stamp, homography, (w, h), flags=cv2.INTER_NEAREST)
        return Prepared(gray=gray, binary=binarise(gray),
                        to_original=self.to_original @ np.linalg.inv(homography), stamp=stamp)

    def erased(self, mask: np.ndarray | None, origin: tuple[int, int]) -> Prepared:
        """This image with the pixels of `mask` (placed at `origin`) turned to paper."""
        if mask is None:
            return self
        x, y = origin
        h = min(mask.shape[0], self.gray.shape[0] - y)
        w = min(mask.shape[1], self.gray.shape[1] - x)
        on = mask[:h, :w] > 0
        gray, binary = self.gray.copy(), self.binary.copy()
        gray[y:y + h, x:x + w][on] = 255
        binary[y:y + h, x:x + w][on] = 0
        return Prepared(gray=gray, binary=binary, to_original=self.to_original, stamp=self.stamp)

    def to_points(self, box: tuple[int, int, int, int],
                  dpi: float) -> tuple[float, float, float, float]:
        """A box of this (rectified) image as PDF points on the page as it was given."""
        x0, y0, x1, y1 = box
        corners = np.float32([[[x0, y0]], [[x1, y0]], [[x1, y1]], [[x0, y1]]])
        mapped = cv2.perspectiveTransform(corners, self.to_original)[:, 0, :]
        scale = 72.0 / dpi
        return (
            round(float(mapped[:, 0].min()) * scale, 2),
            round(float(mapped[:, 1].min()) * scale, 2),
            round(float(mapped[:, 0].max()) * scale, 2),
            round(float(mapped[:, 1].max()) * scale, 2),
        )


def prepare(image: np.ndarray, dpi: float) -> Prepared:
    """Stamp suppression, light normalisation, deskew/perspective; ink mask of the result."""
    channels = None if image.ndim == 2 else cv2.split(image)
    gray = suppress_colour(image, channels)
    stamp = colour_mask(image, channels)
    paper = paper_mask(gray, dpi)
    gray = normalise_light(gray, dpi)
    if paper is not None:
        gray[paper == 0] = 255
    binary = binarise(gray)
    flat = flatten_thick_ink(gray, dpi, binary)
    if flat is not gray:
        lifted = cv2.compare(cv2.subtract(flat, gray), 30, cv2.CMP_GT)
        stamp = lifted if stamp is None else cv2.bitwise_or(stamp, lifted)
        binary = binarise(flat)
    gray = flat
    prepared = Prepared(gray=gray, binary=binary, to_original=np.eye(3), stamp=stamp)
    homography = estimate_rectification(binary, dpi)
    return prepared if homography is None else prepared.warped(homography)


def colour_mask(image: np.ndarray,
                channels: list[np.ndarray] | None = None) -> np.ndarray | None:
    """Where the image is clearly coloured (a seal, a stamp): 255 there, else 0; None for
    a grayscale image or a page with no colour to speak of. `channels`: the image's
    cv2.split, when the caller has it already."""
    if image.ndim == 2:
        return None
    b, g, r = channels if channels is not None else cv2.split(image)
    chroma = cv2.subtract(cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r))
    mask = cv2.compare(chroma, 40, cv2.CMP_GT)
    if cv2.countNonZero(mask) == 0:
        return None
    return cv2.dilate(mask, np.ones((5, 5), np.uint8))


def suppress_colour(image: np.ndarray,
                    channels: list[np.ndarray] | None = None) -> np.ndarray:
    """Grayscale in which saturated colour (red seals, blue stamps, tinted fills) turns light.

    Black print is dark in every channel, a red seal is bright in its red channel and a
    blue stamp in its blue one: the per-pixel maximum keeps the print and drops the colour.
    Where a seal overlaps print, the print stays dark.
    """
    if image.ndim == 2:
        return image.copy()
    b, g, r = channels if channels is not None else cv2.split(image)
    bright = cv2.max(cv2.max(b, g), r)
    dark = cv2.min(cv2.min(b, g), r)
    luminance = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    # Only clearly coloured pixels (and their rims, where JPEG's halved colour resolution
    # leaves grayish fringes) take the max channel; gray pixels keep their luminance, so
    # faint gray print is not lifted.
    chroma = cv2.subtract(bright, dark)
    if cv2.minMaxLoc(chroma)[1] <= 15:
        # No pixel is coloured by either test below (a smoothed channel difference cannot
        # exceed the largest one): a gray page, kept as it is, without the smoothing pass.
        return luminance
    coloured = cv2.compare(chroma, 40, cv2.CMP_GT)
    # Thin seal strokes lose most of their colour to blur and JPEG's halved chroma, but stay
    # redder (or bluer) than gray print ever is.
    # Measured on a smoothed copy so that sensor noise on gray print does not count.
    sb, sg, sr = (cv2.blur(c, (5, 5)) for c in (b, g, r))  # as the blurred image's planes
    reddish = cv2.compare(cv2.subtract(sr, cv2.max(sg, sb)), 15, cv2.CMP_GT)
    bluish = cv2.compare(cv2.subtract(sb, cv2.max(sg, sr)), 15, cv2.CMP_GT)
    coloured = coloured | reddish | bluish
    coloured = cv2.dilate(coloured, np.ones((5, 5), np.uint8))
    # A seal is light in its own colour channel but not white (~0.85 of the paper): where
    # that channel is well above print darkness, the pixel is seal, not print under it.
    # A pale seal lets pale print through: what is clearly darker than the seal's own
    # level in that channel is print under it, not the seal.
    lifted = bright.copy()
    seal_level = _stamp_level(bright, chroma)
    lifted[bright > max(SEAL_LIFT, seal_level - SEAL_SHADE)] = 255
    out = luminance.copy()
    cv2.copyTo(lifted, coloured, out)
    return out


def _stamp_level(bright: np.ndarray, chroma: np.ndarray) -> float:
    """The usual brightness of stamp ink in its own colour channel (0 when there is none)."""
    strong = bright[chroma > 60]
    return float(np.median(strong)) if strong.size >= 50 else 0.0


def flatten_thick_ink(gray: np.ndarray, dpi: float,
                      binary: np.ndarray | None = None) -> np.ndarray:
    """Light ink far thicker than any print stroke (a gray seal's ring and star, a tinted
    fill) turned to paper, keeping the thin print that runs over or under it.

    In a grayscale scan a red seal has no colour left to key on, and its tone is often that
    of faint print; but its ring and star are many times thicker than a rule or a glyph
    stroke. There the ink is divided by its own local background (a closing wider than
    print strokes, narrower than the seal's), the way uneven light is: the seal becomes
    paper, print over it stays as dark as on white paper. Thick black ink (bold headings)
    is left alone. `binary` is `binarise(gray)` when the caller has it already.

    Only the seals' neighbourhood is worked on at full size: the local background is a
    closing, so a crop with two kernels' margin gives the same values as the whole page.
    """
    w = max(int(dpi * THICK_IN), 5)
    if binary is None:
        binary = binarise(gray)
    small = cv2.resize(binary, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    if not (cv2.erode(small, np.ones((max(w // 4 - 1, 1),) * 2, np.uint8)) > 200).any():
        return gray  # nothing thick on the page (the common case): skip the full-size work
    kernel = np.ones((w, w), np.uint8)
    thick = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    # A seal's ring and star, or a fill, are large; where strokes of a glyph cross, a thick
    # blob of a few stroke widths forms: only the large ones count.
    n, labels, stats, _ = components(thick, 8)
    # Thick black ink (a bold title, a black bar) is print, whatever its size.
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    large = [i for i in range(1, n) if extent[i] >= dpi * SEAL_PART_IN]
    large = [i for i in large if float(np.median(gray[_box(stats[i])][
        labels[_box(stats[i])] == i])) > LIGHT_INK]
    if not large:
        return gray
    # The part of the page the seals can reach (their boxes, the dilation below and two
    # closing kernels of margin): outside it nothing changes.
    hh, ww = gray.shape
    margin = w // 2 + 1 + 2 * w
    x0 = max(int(min(stats[i, cv2.CC_STAT_LEFT] for i in large)) - margin, 0)
    y0 = max(int(min(stats[i, cv2.CC_STAT_TOP] for i in large)) - margin, 0)
    x1 = min(int(max(stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH]
                     for i in large)) + margin, ww)
    y1 = min(int(max(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]
                     for i in large)) + margin, hh)
    part = gray[y0:y1, x0:x1]
    thick = np.isin(labels[y0:y1, x0:x1], large).astype(np.uint8) * 255
    background = cv2.morphologyEx(part, cv2.MORPH_CLOSE, kernel)
    region = cv2.dilate(thick, np.ones((w // 2 * 2 + 1,) * 2, np.uint8)) > 0
    region &= background > LIGHT_INK
    if not region.any():
        return gray
    out = gray.copy()
    flat = part[region].astype(np.float32) / np.maximum(background[region], 1) * 255.0
    out[y0:y1, x0:x1][region] = np.clip(flat, 0, 255).astype(np.uint8)
    return out


def _box(stat: np.ndarray) -> tuple[slice, slice]:
    """The bounding box of a connected component (a row of connectedComponentsWithStats)."""
    x, y, w, h = (int(v) for v in stat[:4])
    return slice(y, y + h), slice(x, x + w)


def paper_mask(gray: np.ndarray, dpi: float) -> np.ndarray | None:
    """Where the sheet of paper is, when a photo shows the desk around it (else None).

    The paper is the largest bright region once thin dark marks (print, rules) are closed
    over; its convex hull, pulled in a little so that the sheet's edge and its shadow are
    outside, is the page. None when the paper fills (nearly) the whole image, as in a scan.
    """
    h, w = gray.shape
    small = shrunk(gray, max(round(dpi / PAPER_DPI), 1))
    _, bright = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255,
                              cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k = max(int(PAPER_DPI * 0.12) | 1, 3)  # closes print and rules, not a desk
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, labels, stats, _ = components(bright, 4)
    if n < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    # The hull of a region is the hull of its outline: a few thousand points, not all of it.
    outline, _ = cv2.findContours((labels == biggest).astype(np.uint8), cv2.RETR_EXTERNAL,
                                  cv2.CHAIN_APPROX_NONE)
    hull = cv2.convexHull(np.concatenate(outline))
    page = np.zeros_like(small)
    cv2.fillConvexPoly(page, hull, 255)
    if page.mean() / 255.0 > 0.97 or page.mean() / 255.0 < 0.3:
        return None  # a scan (paper everywhere), or no sheet to speak of
    # Background that is really dark (a desk), not a light tint the threshold split off.
    inside = small[page > 0]
    outside = small[page == 0]
    if np.median(outside) > 0.75 * np.median(inside):
        return None
    page = cv2.erode(page, np.ones((k, k), np.uint8))
    return cv2.resize(page, (w, h), interpolation=cv2.INTER_NEAREST)


def shrunk(image: np.ndarray, factor: int) -> np.ndarray:
    """`image` averaged over blocks of factor × factor pixels (a last partial block is
    dropped): a whole factor is OpenCV's fast path, four times a fractional one's speed."""
    h, w = image.shape[:2]
    rows, cols = max(h // factor, 1), max(w // factor, 1)
    return cv2.resize(image[:rows * factor, :cols * factor], (cols, rows),
                      interpolation=cv2.INTER_AREA)


def normalise_light(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Divide by the estimated paper brightness so shadows and gradients become white."""
    scale = 4
    small = shrunk(gray, scale)
    k = max(3, int(dpi / scale * 0.12) | 1)  # wider than a stroke, narrower than a shadow
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), k)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]),
                            interpolation=cv2.INTER_LINEAR)
    # gray * 255 / max(background, 1) in float32, truncated (numpy's arithmetic, value for
    # value), a band of rows at a time: a whole page in float32 is four times its size in
    # memory, and passes over it ran at memory speed (31 ms a 300-dpi page; in bands 5 ms).
    background = cv2.max(background, 1)
    out = np.empty_like(gray)
    for y in range(0, gray.shape[0], LIGHT_BAND_ROWS):
        rows = slice(y, y + LIGHT_BAND_ROWS)
        ratio = cv2.divide(gray[rows], background[rows], scale=255.0, dtype=cv2.CV_32F)
        out[rows] = cv2.min(ratio, 255.0)  # assigned to uint8: truncated, as astype does
    return out


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = ink) by Otsu on the light-normalised image, with a floor for clean pages."""
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = min(max(threshold, 100), 200)
    return cv2.compare(gray, threshold, cv2.CMP_LT)


def estimate_rectification(binary: np.ndarray, dpi: float) -> np.ndarray | None:
    """Homography that makes the page's long ruled lines horizontal/vertical, or None.

    The outermost long horizontal and vertical lines are fitted; their four crossings are
    mapped to an upright rectangle. This corrects skew and the mild keystone of a photo.
    With no vertical lines only the rotation of the horizontals is corrected.
    """
    h_lines = _long_lines(binary, dpi, horizontal=True)
    if not h_lines:
        return None
    v_lines = _long_lines(binary, dpi, horizontal=False)
    top, bottom = h_lines[0], h_lines[-1]
    if len(v_lines) >= 2 and bottom[2] - top[2] > dpi * 0.5:
        left, right = v_lines[0], v_lines[-1]
        src = np.float32([_cross(top, left), _cross(top, right),
                          _cross(bottom, right), _cross(bottom, left)])
        width = (np.linalg.norm(src[1] - src[0]) + np.linalg.norm(src[2] - src[3])) / 2
        height = (np.linalg.norm(src[3] - src[0]) + np.linalg.norm(src[2] - src[1])) / 2
        x0, y0 = src[0]
        dst = np.float32([[x0, y0], [x0 + width, y0], [x0 + width, y0 + height],
                          [x0, y0 + height]])
    else:
        angle = float(np.median([line[0] for line in h_lines]))
        hh, ww = binary.shape
        matrix = cv2.getRotationMatrix2D((ww / 2, hh / 2), np.degrees(angle), 1.0)
        corners = np.float32([[0, 0], [ww, 0], [ww, hh], [0, hh]])
        src = corners
        dst = cv2.transform(corners[None], matrix)[0].astype(np.float32)
    if np.abs(dst - src).max() < MIN_WARP_PX:
        return None
    return cv2.getPerspectiveTransform(src, dst)


def estimate_text_rotation(binary: np.ndarray, dpi: float) -> np.ndarray | None:
    """Rotation that levels the page's lines of text, or None when they are level.

    A table printed without rules leaves nothing straight but its text: rotated level,
    the rows of ink and the gaps between them alternate most sharply (the projection
    profile's steepest). Judged roughly at a low resolution, then to a fiftieth of a
    degree at twice that: across a page, a tenth of a degree is a few pixels.
    """
    def sharpest(image: np.ndarray, angles: np.ndarray) -> float:
        h, w = image.shape

        def sharpness(angle: float) -> float:
            matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            profile = cv2.warpAffine(image, matrix, (w, h)).sum(axis=1, dtype=np.float64)
            return float((np.diff(profile) ** 2).sum())

        return float(max(angles, key=sharpness))

    def at(resolution: float) -> np.ndarray:
        scale = min(1.0, resolution / dpi)
        return cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)

    if not binary.any():
        return None
    best = sharpest(at(TEXT_TILT_DPI),
                    np.arange(-MAX_TEXT_TILT_DEG, MAX_TEXT_TILT_DEG + 1e-6, 0.1))
    best = sharpest(at(2 * TEXT_TILT_DPI), np.arange(best - 0.2, best + 0.201, 0.02))
    if abs(best) < 0.1:
        return None
    hh, ww = binary.shape
    rotation = cv2.getRotationMatrix2D((ww / 2, hh / 2), best, 1.0)
    return np.vstack([rotation, [0.0, 0.0, 1.0]])


def _long_lines(binary: np.ndarray, dpi: float, horizontal: bool) -> list[tuple[float, ...]]:
    """Long straight lines as (angle, slope, position, intercept), sorted by position.

    For horizontals: y = intercept + slope * x and position = y at the image centre; for
    verticals the same with x and y swapped. Where lines are is found at no more than
    LINE_FIT_DPI (the whole page); the lines there are told apart and fitted at full size
    (only around each): the same lines as a search of the whole page at full size.
    """
    full = binary if horizontal else binary.T
    scale = min(1.0, LINE_FIT_DPI / dpi)
    small = full
    if scale < 1.0:
        small = cv2.compare(cv2.resize(binary, None, fx=scale, fy=scale,
                                       interpolation=cv2.INTER_AREA), 0, cv2.CMP_GT)
        small = small if horizontal else small.T
    n, labels, stats = _line_pieces(small, dpi * scale)
    out: list[tuple[float, ...]] = []
    min_len = int(dpi * (2.0 if horizontal else 0.6))
    centre = full.shape[1] / 2
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w / scale < min_len:
            continue
        # Around it at full size, the lines as the whole page at full size would give them
        # (two close lines can be one piece at the lower resolution).
        x0, y0 = int(x / scale), int(y / scale)
        x1 = min(int(np.ceil((x + w) / scale)), full.shape[1])
        y1 = min(int(np.ceil((y + h) / scale)), full.shape[0])
        rows = np.minimum(((np.arange(y0, y1) + 0.5) * scale).astype(int), labels.shape[0] - 1)
        cols = np.minimum(((np.arange(x0, x1) + 0.5) * scale).astype(int), labels.shape[1] - 1)
        own = labels[np.ix_(rows, cols)] == i
        m, pieces, piece_stats = _line_pieces(full[y0:y1, x0:x1], dpi)
        for j in range(1, m):
            _, _, pw, ph, _ = piece_stats[j]
            if pw < min_len or ph > pw * np.tan(np.radians(MAX_TILT_DEG)) + dpi * 0.05:
                continue
            ys, xs = np.nonzero((pieces == j) & own)
            if len(xs) < min_len:
                continue
            slope, intercept = _fitted_line(xs + x0, ys + y0)
            if abs(np.degrees(np.arctan(slope))) > MAX_TILT_DEG:
                continue
            out.append((float(np.arctan(slope)), float(slope),
                        float(intercept + slope * centre), float(intercept)))
    out.sort(key=lambda line: line[2])
    return out


def _fitted_line(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """Least-squares y = intercept + slope · x, in closed form: `np.polyfit(xs, ys, 1)`
    to 1e-11 of a pixel over a page, an eighth of its time (a page fits a line per rule)."""
    x, y = xs.astype(np.float64), ys.astype(np.float64)
    dx = x - x.mean()
    slope = float((dx * (y - y.mean())).sum() / (dx * dx).sum())
    return slope, float(y.mean() - slope * x.mean())


def _line_pieces(mask: np.ndarray, dpi: float) -> tuple[int, np.ndarray, np.ndarray]:
    """The horizontal runs of ink longer than a glyph, joined over small breaks, as
    `components` gives them (count, labels, stats)."""
    # A short kernel keeps a line tilted by a few degrees; the fit handles the rest.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(int(dpi * 0.25), 10), 1))
    lines_mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    lines_mask = cv2.dilate(lines_mask, np.ones((3, int(dpi * 0.05) | 1), np.uint8))
    n, labels, stats, _ = components(lines_mask, 8)
    return n, labels, stats


def _cross(h_line: tuple[float, ...], v_line: tuple[float, ...]) -> tuple[float, float]:
    """Crossing of y = a + b·x (horizontal) and x = c + d·y (vertical)."""
    b, a = h_line[1], h_line[3]
    d, c = v_line[1], v_line[3]
    y = (a + b * c) / (1 - b * d)
    return c + d * y, y
