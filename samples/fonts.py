"""CJK TrueType fonts from Debian packages, registered with reportlab (embedded as subsets).

The fonts stand in for what real reports use: AR PL UMing for 宋体/仿宋, AR PL UKai for 楷体,
WenQuanYi Zen Hei / Micro Hei for 黑体 and Droid Sans Fallback. A font lacking a character
(Droid has no curly quotes) falls back to UMing, run by run, as word processors do.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path("/usr/share/fonts/truetype")
FONTS: dict[str, tuple[str, int]] = {
    # id: (file under FONT_DIR, subfont index in the collection)
    "uming": ("arphic/uming.ttc", 0),  # AR PL UMing CN
    "ukai": ("arphic/ukai.ttc", 0),  # AR PL UKai CN
    "zenhei": ("wqy/wqy-zenhei.ttc", 0),
    "microhei": ("wqy/wqy-microhei.ttc", 0),
    "droid": ("droid/DroidSansFallbackFull.ttf", 0),
}
FALLBACK = "uming"
_PREFIX: dict[str, str] = {}  # registered name -> its prefix, to find the matching fallback


def register(font_id: str, prefix: str = "") -> str:
    """Register font ``font_id`` (once) and return its reportlab name.

    ``prefix`` names a separate registration; the garbling step uses it to get a font object
    of its own whose text layer it can falsify without touching the normal one.
    """
    name = f"{prefix}{font_id}"
    if name not in pdfmetrics.getRegisteredFontNames():
        path, index = FONTS[font_id]
        font = TTFont(name, str(FONT_DIR / path), subfontIndex=index, asciiReadable=not prefix)
        pdfmetrics.registerFont(font)
    _PREFIX[name] = prefix
    return name


def fallback_for(font_name: str) -> str:
    """The fallback font registered alongside ``font_name`` (same prefix)."""
    return register(FALLBACK, _PREFIX.get(font_name, ""))


def has_char(font_name: str, ch: str) -> bool:
    font = pdfmetrics.getFont(font_name)
    return ch == " " or ord(ch) in font.face.charToGlyph


def runs(text: str, font_name: str) -> list[tuple[str, str]]:
    """Split ``text`` into (font, text) runs so every character has a glyph."""
    fallback = fallback_for(font_name)
    out: list[tuple[str, str]] = []
    for ch in text:
        font = font_name if has_char(font_name, ch) else fallback
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out


def text_width(text: str, font_name: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, font_name))
