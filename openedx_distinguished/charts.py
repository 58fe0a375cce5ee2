"""
Small bar charts drawn on the server as inline SVG: no JavaScript, no external resources.

Each chart is an accessible image (``role="img"`` with a title and a description that states the
numbers), so the figures are also readable without seeing the drawing. Text is escaped here;
callers mark the result safe.
"""
from collections.abc import Sequence
from html import escape

WIDTH = 560
HEIGHT = 240
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 48, 16, 28, 40
_COLOURS = ("#0a3055", "#00688d", "#8e5ba8", "#c5501e")
_TARGET_COLOUR = "#b3261e"


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^n not below ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover (the loop always returns)


def bar_chart(*, chart_id: str, title: str, labels: Sequence[str],
              series: Sequence[tuple[str, Sequence[float | None]]], target: float | None = None,
              target_label: str = "", percent: bool = False) -> str:
    """
    A bar chart of one or more ``series`` — ``[(name, [value, …]), …]`` with one value per label
    (``None`` draws no bar) — and an optional horizontal ``target`` line.

    Values are numbers; with ``percent`` they are fractions shown as percentages on a 0–100 % axis.
    """
    plot_w = WIDTH - _MARGIN_LEFT - _MARGIN_RIGHT
    plot_h = HEIGHT - _MARGIN_TOP - _MARGIN_BOTTOM
    values = [value for _, points in series for value in points if value is not None]
    top = 1.0 if percent else _nice_ceiling(max(values + [target or 0, 1]))

    def fmt(value: float) -> str:
        return f"{value * 100:.0f}%" if percent else f"{value:g}"

    def y_of(value: float) -> float:
        return _MARGIN_TOP + plot_h - (value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="od-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    description = "; ".join(
        f"{label}: " + ", ".join(f"{escape(name)} {fmt(value) if (value := points[i]) is not None else 'n/a'}"
                                 for name, points in series)
        for i, label in enumerate(labels)
    )
    if target is not None:
        description += f"; {escape(target_label or 'target')} {fmt(target)}"
    parts.append(f'<desc id="{chart_id}-desc">{escape(description, quote=False)}</desc>')
    # Axis and gridlines at 0, ½ and the top.
    for fraction in (0, 0.5, 1):
        y = y_of(top * fraction)
        parts.append(f'<line x1="{_MARGIN_LEFT}" x2="{WIDTH - _MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{_MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#333">{fmt(top * fraction)}</text>')
    group_w = plot_w / max(len(labels), 1)
    bar_w = min(48.0, group_w * 0.8 / max(len(series), 1))
    for i, label in enumerate(labels):
        left = _MARGIN_LEFT + i * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, points) in enumerate(series):
            value = points[i]
            if value is None:
                continue
            x = left + s * bar_w
            y = y_of(min(value, top))
            parts.append(
                f'<rect class="od-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{_MARGIN_TOP + plot_h - y:.1f}" fill="{_COLOURS[s % len(_COLOURS)]}" '
                f'data-value="{value}"><title>{escape(str(label))}, {escape(name)}: {fmt(value)}</title></rect>'
            )
            parts.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
                         f'fill="#222">{fmt(value)}</text>')
        parts.append(f'<text x="{_MARGIN_LEFT + (i + 0.5) * group_w:.1f}" y="{HEIGHT - _MARGIN_BOTTOM + 16}" '
                     f'text-anchor="middle" font-size="12" fill="#222">{escape(str(label))}</text>')
    if target is not None:
        y = y_of(min(target, top))
        parts.append(f'<line class="od-target" x1="{_MARGIN_LEFT}" x2="{WIDTH - _MARGIN_RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="{_TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{WIDTH - _MARGIN_RIGHT}" y="{y - 5:.1f}" text-anchor="end" font-size="11" '
                     f'fill="{_TARGET_COLOUR}">{escape(target_label or "target")} {fmt(target)}</text>')
    if len(series) > 1:
        x = _MARGIN_LEFT
        for s, (name, _) in enumerate(series):
            parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" '
                         f'fill="{_COLOURS[s % len(_COLOURS)]}"/>')
            parts.append(f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11" fill="#222">{escape(name)}</text>')
            x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)
