"""
Draw the default badge artwork shipped with the plugin, as SVG and PNG, one per track.

A maintainer's tool (needs Pillow, which the plugin itself does not): run it after changing the
design, then commit the files under openedx_distinguished/static/openedx_distinguished/badges/.
"""
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "openedx_distinguished/static/openedx_distinguished/badges"
SIZE = 400
TRACKS = {  # slug: (initial, label, main colour, accent colour)
    "engineer": ("E", "ENGINEER", "#0b3d91", "#f0b429"),
    "advocate": ("A", "ADVOCATE", "#8a1c4a", "#f0b429"),
    "innovator": ("I", "INNOVATOR", "#0f6e4f", "#f0b429"),
}


def hexagon(radius, centre=SIZE / 2):
    """The corners of a hexagon standing on a point."""
    return [(centre + radius * math.cos(math.radians(90 + 60 * k)),
             centre + radius * math.sin(math.radians(90 + 60 * k))) for k in range(6)]


def svg(initial, label, main, accent):
    """The badge as a small, clean SVG (no scripts, no external references)."""
    outer = " ".join(f"{x:.1f},{y:.1f}" for x, y in hexagon(190))
    inner = " ".join(f"{x:.1f},{y:.1f}" for x, y in hexagon(160))
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" role="img" aria-label="Distinguished {label.title()} badge">
  <title>Open edX Distinguished {label.title()}</title>
  <polygon points="{outer}" fill="{accent}"/>
  <polygon points="{inner}" fill="{main}"/>
  <text x="200" y="225" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="150" font-weight="700" fill="#ffffff">{initial}</text>
  <text x="200" y="285" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="26" font-weight="700" letter-spacing="3" fill="{accent}">{label}</text>
  <text x="200" y="110" text-anchor="middle" font-family="Helvetica, Arial, sans-serif" font-size="20" letter-spacing="2" fill="#ffffff">DISTINGUISHED</text>
</svg>
"""


def png(initial, label, main, accent, path):
    """The same design as a PNG (for PNG baking)."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(hexagon(190), fill=accent)
    draw.polygon(hexagon(160), fill=main)
    big = ImageFont.load_default(size=150)
    small = ImageFont.load_default(size=24)
    draw.text((200, 200), initial, font=big, fill="#ffffff", anchor="mm")
    draw.text((200, 280), label, font=small, fill=accent, anchor="mm")
    draw.text((200, 105), "DISTINGUISHED", font=small, fill="#ffffff", anchor="mm")
    image.save(path, optimize=True)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for slug, design in TRACKS.items():
        (OUT / f"{slug}.svg").write_text(svg(*design), encoding="utf-8")
        png(*design, OUT / f"{slug}.png")
        print("wrote", slug)
