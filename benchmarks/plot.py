"""A line plot written as PNG with zlib and struct alone (no plotting library needed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import itertools
import math
from pathlib import Path
import struct
import zlib

type Color = tuple[int, int, int]

WHITE: Color = (255, 255, 255)
BLACK: Color = (0, 0, 0)
GRID: Color = (225, 225, 225)
SCALE = 2  # pixels per font dot

# A 3x5 dot font: five rows of three dots per glyph; letters are drawn upper case.
_FONT_ROWS = {
    "0": "### #.# #.# #.# ###", "1": ".#. ##. .#. .#. ###", "2": "### ..# ### #.. ###",
    "3": "### ..# ### ..# ###", "4": "#.# #.# ### ..# ..#", "5": "### #.. ### ..# ###",
    "6": "### #.. ### #.# ###", "7": "### ..# ..# ..# ..#", "8": "### #.# ### #.# ###",
    "9": "### #.# ### ..# ###", ".": "... ... ... ... .#.", "-": "... ... ### ... ...",
    "+": "... .#. ### .#. ...", "%": "#.# ..# .#. #.. #.#", "(": ".#. #.. #.. #.. .#.",
    ")": ".#. ..# ..# ..# .#.", " ": "... ... ... ... ...", "/": "..# ..# .#. #.. #..",
    ":": "... .#. ... .#. ...", "=": "... ### ... ### ...", "A": ".#. #.# ### #.# #.#",
    "B": "##. #.# ##. #.# ##.", "C": ".## #.. #.. #.. .##", "D": "##. #.# #.# #.# ##.",
    "E": "### #.. ##. #.. ###", "F": "### #.. ##. #.. #..", "G": ".## #.. #.# #.# .##",
    "H": "#.# #.# ### #.# #.#", "I": "### .#. .#. .#. ###", "J": "..# ..# ..# #.# .#.",
    "K": "#.# #.# ##. #.# #.#", "L": "#.. #.. #.. #.. ###", "M": "#.# ### ### #.# #.#",
    "N": "##. #.# #.# #.# #.#", "O": ".#. #.# #.# #.# .#.", "P": "##. #.# ##. #.. #..",
    "Q": ".#. #.# #.# ##. .##", "R": "##. #.# ##. #.# #.#", "S": ".## #.. .#. ..# ##.",
    "T": "### .#. .#. .#. .#.", "U": "#.# #.# #.# #.# ###", "V": "#.# #.# #.# #.# .#.",
    "W": "#.# #.# ### ### #.#", "X": "#.# #.# .#. #.# #.#", "Y": "#.# #.# .#. .#. .#.",
    "Z": "### ..# .#. #.. ###", ",": "... ... ... .#. #..",
}  # fmt: skip
_FONT = {char: rows.split() for char, rows in _FONT_ROWS.items()}


@dataclass(frozen=True, slots=True)
class Series:
    """One line of the plot."""

    name: str
    color: Color
    xs: Sequence[float]
    ys: Sequence[float]


class Canvas:
    """An RGB image with the few drawing operations a plot needs."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self._pixels = bytearray(WHITE * (width * height))

    def dot(self, x: int, y: int, color: Color) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = 3 * (y * self.width + x)
            self._pixels[offset : offset + 3] = bytes(color)

    def rect(self, x: int, y: int, width: int, height: int, color: Color) -> None:
        for row in range(y, y + height):
            for column in range(x, x + width):
                self.dot(column, row, color)

    def line(self, start: tuple[int, int], end: tuple[int, int], color: Color) -> None:
        """A two-pixel-wide line (Bresenham)."""
        (x0, y0), (x1, y1) = start, end
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        step_x, step_y = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        while True:
            self.rect(x0, y0, 2, 2, color)
            if (x0, y0) == (x1, y1):
                return
            double = 2 * error
            if double >= dy:
                error += dy
                x0 += step_x
            if double <= dx:
                error += dx
                y0 += step_y

    def text(self, x: int, y: int, text: str, color: Color = BLACK) -> None:
        """Write text with the dot font; (x, y) is the top left corner."""
        for char in text.upper():
            for row, dots in enumerate(_FONT.get(char, _FONT[" "])):
                for column, dot in enumerate(dots):
                    if dot == "#":
                        self.rect(x + column * SCALE, y + row * SCALE, SCALE, SCALE, color)
            x += 4 * SCALE

    def png(self) -> bytes:
        """The image as PNG (8-bit RGB, no filtering)."""
        stride = 3 * self.width
        raw = b"".join(
            b"\x00" + self._pixels[row * stride : (row + 1) * stride] for row in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + kind
                + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def text_width(text: str) -> int:
    """Pixels a text takes."""
    return len(text) * 4 * SCALE


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil((high - first) / step) + 1)]


def _label(value: float) -> str:
    return f"{value:g}"


def line_plot(
    path: Path,
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 960,
    height: int = 480,
) -> None:
    """Write a line plot of `series` with axes, grid, tick labels and a legend."""
    xs = [x for line in series for x in line.xs]
    ys = [y for line in series for y in line.ys]
    x_ticks = nice_ticks(min(xs, default=0.0), max(xs, default=1.0))
    y_ticks = nice_ticks(min(ys, default=0.0), max(ys, default=1.0))
    left, right, top, bottom = 80, 20, 50, 60
    plot_w, plot_h = width - left - right, height - top - bottom

    def to_px(x: float, y: float) -> tuple[int, int]:
        fx = (x - x_ticks[0]) / (x_ticks[-1] - x_ticks[0])
        fy = (y - y_ticks[0]) / (y_ticks[-1] - y_ticks[0])
        return left + round(fx * plot_w), top + plot_h - round(fy * plot_h)

    canvas = Canvas(width, height)
    for tick in x_ticks:
        px, _ = to_px(tick, y_ticks[0])
        canvas.rect(px, top, 1, plot_h, GRID)
        canvas.text(px - text_width(_label(tick)) // 2, top + plot_h + 8, _label(tick))
    for tick in y_ticks:
        _, py = to_px(x_ticks[0], tick)
        canvas.rect(left, py, plot_w, 1, GRID)
        canvas.text(left - 8 - text_width(_label(tick)), py - 5, _label(tick))
    canvas.rect(left, top, 1, plot_h + 1, BLACK)
    canvas.rect(left, top + plot_h, plot_w, 1, BLACK)
    canvas.text(left, 12, title)
    canvas.text(left + (plot_w - text_width(x_label)) // 2, height - 22, x_label)
    canvas.text(8, top - 22, y_label)

    legend_x = left + plot_w - max(text_width(line.name) for line in series) - 40
    for index, line in enumerate(series):
        points = [to_px(x, y) for x, y in zip(line.xs, line.ys, strict=True)]
        for start, end in itertools.pairwise(points):
            canvas.line(start, end, line.color)
        row = top + 10 + index * 18
        canvas.rect(legend_x, row, 24, 6, line.color)
        canvas.text(legend_x + 32, row - 2, line.name)
    path.write_bytes(canvas.png())
