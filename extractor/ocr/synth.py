"""Scan-like degradation of a clean page image, for tests and the OCR bench.

Not used when extracting. Each effect is what a printed, stamped and scanned (or
photographed) report shows: skew, mild keystone, blur, sensor noise, JPEG artefacts,
uneven light and a red seal over part of the page. Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Degradation:
    skew_deg: float = 0.0
    keystone: float = 0.0  # fraction of the width the top edge shrinks by (photo-like)
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0
    jpeg_quality: int | None = None
    light_gradient: float = 0.0  # 0..1: how dark the darkest corner gets
    seal: bool = False
    seed: int = 0


SCAN_PRESETS: dict[str, Degradation] = {
    "clean": Degradation(),
    "mild": Degradation(skew_deg=0.8, blur_sigma=0.6, noise_sigma=6, jpeg_quality=70,
                        light_gradient=0.15, seal=True, seed=1),
    "hard": Degradation(skew_deg=-2.0, blur_sigma=0.9, noise_sigma=10, jpeg_quality=55,
                        light_gradient=0.3, seal=True, seed=2),
    "photo": Degradation(skew_deg=1.2, keystone=0.015, blur_sigma=0.8, noise_sigma=8,
                         jpeg_quality=65, light_gradient=0.35, seal=True, seed=3),
}


def degrade(image: np.ndarray, spec: Degradation, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """A scanned-looking copy of a BGR page image, and the 3x3 warp applied (clean -> copy)."""
    rng = np.random.default_rng(spec.seed)
    out = image.copy()
    warp = np.eye(3)
    if spec.seal:
        out = _add_seal(out, dpi, rng)
    h, w = out.shape[:2]
    if spec.skew_deg or spec.keystone:
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        k = spec.keystone * w
        dst = np.float32([[k, 0], [w - k, 0], [w, h], [0, h]])
        persp = cv2.getPerspectiveTransform(src, dst)
        rot = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), spec.skew_deg, 1.0), [0, 0, 1]])
        warp = rot @ persp
        out = cv2.warpPerspective(out, warp, (w, h), flags=cv2.INTER_LINEAR,
                                  borderValue=(255, 255, 255))
    if spec.light_gradient:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        shade = 1.0 - spec.light_gradient * ((xx / w) * 0.6 + (yy / h) * 0.4)
        out = np.clip(out.astype(np.float32) * shade[:, :, None], 0, 255).astype(np.uint8)
    if spec.blur_sigma:
        out = cv2.GaussianBlur(out, (0, 0), spec.blur_sigma * dpi / 200)
    if spec.noise_sigma:
        noise = rng.normal(0, spec.noise_sigma, out.shape).astype(np.float32)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if spec.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, spec.jpeg_quality])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out, warp


def _add_seal(image: np.ndarray, dpi: float, rng: np.random.Generator) -> np.ndarray:
    """A translucent red official seal (ring, star, arc of strokes) in the lower right half."""
    h, w = image.shape[:2]
    radius = int(dpi * 0.8)
    cx = int(w * rng.uniform(0.55, 0.75))
    cy = int(h * rng.uniform(0.35, 0.7))
    mask = np.zeros((h, w), np.uint8)
    cv2.circle(mask, (cx, cy), radius, 255, max(int(dpi * 0.04), 2))
    star = np.array([
        (cx + radius * 0.3 * np.cos(a - np.pi / 2) * (1 if i % 2 == 0 else 0.4),
         cy + radius * 0.3 * np.sin(a - np.pi / 2) * (1 if i % 2 == 0 else 0.4))
        for i, a in enumerate(np.linspace(0, 2 * np.pi, 10, endpoint=False))
    ], np.int32)
    cv2.fillPoly(mask, [star], 255)
    for a in np.linspace(np.pi * 0.8, np.pi * 2.2, 14):  # the agency name around the ring
        px = int(cx + radius * 0.75 * np.cos(a))
        py = int(cy + radius * 0.75 * np.sin(a))
        size = int(radius * 0.12)
        cv2.rectangle(mask, (px - size, py - size), (px + size, py + size), 255,
                      max(int(dpi * 0.012), 1))
    alpha = (mask.astype(np.float32) / 255.0 * 0.85)[:, :, None]
    red = np.array([40, 30, 220], np.float32)  # BGR
    blended = image.astype(np.float32) * (1 - alpha) + np.minimum(image, red) * alpha
    return blended.astype(np.uint8)
