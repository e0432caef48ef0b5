"""Make a clean page render look scanned or photographed.

Each function takes and returns an RGB ``uint8`` array (H, W, 3) and draws its randomness
from a ``numpy.random.Generator``, so a seed always gives the same degraded page. The
functions are independent; ``samples/scan.py`` chains them per page and records the chain
in the truth file's ``variant``.
"""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from samples.fonts import FONT_DIR, FONTS

WHITE = (255, 255, 255)


def paper(img: np.ndarray, rng: np.random.Generator, tint: float = 0.04) -> np.ndarray:
    """Off-white, slightly yellow paper instead of pure white."""
    tone = np.array([1.0, 1.0 - tint * 0.3, 1.0 - tint]) * rng.uniform(0.93, 0.98)
    lut = np.clip(np.arange(256)[:, None] * tone[None, :], 0, 255).astype(np.uint8)
    return cv2.LUT(img, lut.reshape(256, 1, 3))


def uneven_lighting(img: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """A smooth brightness gradient (a lamp on one side, a shadow on the other)."""
    h, w = img.shape[:2]
    gh, gw = max(h // 16, 2), max(w // 16, 2)  # the field is smooth: compute it coarse
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx / gw - 0.5) * math.cos(angle) + (yy / gh - 0.5) * math.sin(angle)
    cx, cy = rng.uniform(0.2, 0.8) * gw, rng.uniform(0.2, 0.8) * gh
    spot = np.exp(-(((xx - cx) / gw) ** 2 + ((yy - cy) / gh) ** 2) * 2.5)
    gain = (1.0 - strength * (ramp + 0.5) * 0.8 + strength * 0.3 * spot).astype(np.float32)
    gain = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(img, cv2.merge([gain, gain, gain]), dtype=cv2.CV_8U)


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    """Skew the page by ``degrees`` (positive: counter-clockwise), white paper behind."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=WHITE)


def perspective(img: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """A phone photo: the page as a slightly tilted quadrilateral on a darker desk."""
    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    margin = np.float32([w, h]) * 0.04
    jitter = rng.uniform(0, amount, size=(4, 2)).astype(np.float32) * np.float32([w, h])
    inward = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    dst = src + inward * (margin + jitter)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = tuple(int(c) for c in rng.integers(60, 120, size=3))
    return cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=desk)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Out-of-focus or low-quality optics."""
    return cv2.GaussianBlur(img, (0, 0), sigma)


def noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Sensor noise, the same on all three channels (mostly luminance)."""
    grain = rng.standard_normal(size=img.shape[:2], dtype=np.float32) * sigma
    return cv2.add(img, cv2.merge([grain, grain, grain]), dtype=cv2.CV_8U)


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """One round of JPEG compression (artefacts), as an intermediate save would leave."""
    ok, buf = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()


def binarize(img: np.ndarray, threshold: int = 170) -> np.ndarray:
    """A fax-like black-and-white scan (the red seal turns grey or vanishes)."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    bw = np.where(grey < threshold, 0, 255).astype(np.uint8)
    return np.repeat(bw[..., None], 3, axis=2)


def seal(
    img: np.ndarray,
    rng: np.random.Generator,
    dpi: int,
    text: str,
    center: tuple[float, float],
    opacity: float = 0.75,
) -> np.ndarray:
    """Stamp a red official seal (ring, agency name along the arc, star) at ``center``."""
    diameter = int(dpi * rng.uniform(1.55, 1.75))  # about 4 cm
    size = diameter + 8
    layer = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(layer)
    r = diameter / 2
    c = size / 2
    ring = max(3, int(diameter * 0.03))
    draw.ellipse([c - r, c - r, c + r, c + r], outline=255, width=ring)
    _star(draw, c, c, r * 0.3)
    path, index = FONTS["zenhei"]
    char_px = int(diameter * 0.13)
    font = ImageFont.truetype(str(FONT_DIR / path), char_px, index=index)
    span = min(250.0, 18.0 * len(text))  # degrees of arc the text covers
    for i, ch in enumerate(text):
        a = math.radians(-90 - span / 2 + span * (i + 0.5) / len(text))
        glyph = Image.new("L", (char_px * 2, char_px * 2), 0)
        ImageDraw.Draw(glyph).text((char_px // 2, char_px // 2), ch, font=font, fill=255)
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        gx = c + (r - ring - char_px * 0.75) * math.cos(a) - char_px
        gy = c + (r - ring - char_px * 0.75) * math.sin(a) - char_px
        layer.paste(255, (int(gx), int(gy)), glyph)
    mask = np.asarray(layer.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC), np.float32)
    # ink is uneven: stronger in places, with small gaps
    mottle = cv2.GaussianBlur(rng.uniform(0.55, 1.0, size=mask.shape).astype(np.float32), (0, 0), 3)
    alpha = mask / 255.0 * mottle * opacity
    x0 = int(center[0] - size / 2)
    y0 = int(center[1] - size / 2)
    h, w = img.shape[:2]
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + size, w), min(y0 + size, h)
    if xa >= xb or ya >= yb:
        return img
    a = alpha[ya - y0 : yb - y0, xa - x0 : xb - x0, None]
    red = np.array([205, 30, 40], np.float32)
    out = img.astype(np.float32)
    region = out[ya:yb, xa:xb]
    # multiply-like blend: the seal darkens but does not hide the print beneath
    out[ya:yb, xa:xb] = region * (1 - a) + np.minimum(region, red) * a
    return out.astype(np.uint8)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.4
        a = math.radians(-90 + k * 36)
        points.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    draw.polygon(points, fill=255)


def encode_jpeg(img: np.ndarray, quality: int, grey: bool = False) -> bytes:
    """The page as JPEG bytes (what goes into the image-only PDF)."""
    pil = Image.fromarray(img)
    if grey:
        pil = pil.convert("L")
    buf = io.BytesIO()
    pil.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()
