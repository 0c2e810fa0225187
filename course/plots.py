"""One course style for every figure: a colour-blind-safe palette, labelled axes with units, a
title that states the finding, and a one-line text summary (alt text) printed under the figure.

>>> from course.plots import figure, show
>>> fig, ax = figure()
>>> ax.bar(years, counts)
>>> show(ax, title="...", xlabel="Year", ylabel="Models (count)", alt="Bars rise from ...")
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib as mpl
import matplotlib.pyplot as plt

#: Okabe & Ito (2008) palette: distinguishable with the common forms of colour blindness.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLORS = list(PALETTE.values())

STYLE = {
    "axes.prop_cycle": mpl.cycler(color=COLORS),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "figure.figsize": (7.5, 4.0),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "legend.frameon": False,
    "svg.hashsalt": "course",
}


def use_course_style() -> None:
    """Apply the course style to every later figure in this kernel."""
    mpl.rcParams.update(STYLE)


def figure(ncols: int = 1, **kwargs):
    """A new figure in the course style: ``fig, ax = figure()`` (or several axes with ``ncols``)."""
    use_course_style()
    return plt.subplots(1, ncols, **kwargs)


def label(ax, *, title: str, xlabel: str, ylabel: str) -> None:
    """Set a finding-style title and axis labels; labels should carry units, e.g. 'Cost (US$)'."""
    if not (title and xlabel and ylabel):
        raise ValueError("every course figure needs a title and both axis labels (with units)")
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def show(ax, *, title: str, xlabel: str, ylabel: str, alt: str) -> None:
    """Label ``ax``, display its figure and print the one-line text summary under it."""
    label(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    display(ax.figure, alt=alt)


def image_tag(fig, alt: str) -> str:
    """``fig`` as an HTML ``<img>`` with the PNG inlined and ``alt`` as its alternative text.

    A screen reader reads ``alt``; JupyterLab's own PNG renderer has no way to carry one, and its
    HTML sanitizer keeps ``alt`` and inline ``data:`` images in untrusted notebooks too.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt.strip())}" src="data:image/png;base64,{encoded}">'


def show_image(fig, alt: str) -> None:
    """Display ``fig`` (drawn now, then closed) as an image whose alternative text is ``alt``."""
    from IPython import get_ipython
    from IPython.display import display as show_bundle

    try:
        if get_ipython() is not None:  # (a plain script or test has nowhere to show it)
            show_bundle({"text/html": image_tag(fig, alt), "text/plain": "<Figure>"}, raw=True)
    finally:
        plt.close(fig)  # (else the inline backend shows it a second time, without alt text)


def display(fig, *, alt: str) -> None:
    """Display a figure whose axes are already labelled (several panels) with ``alt`` as its
    alternative text, and print the same one-line text summary under it."""
    if not alt.strip():
        raise ValueError("every course figure needs a one-line text summary (alt text)")
    fig.tight_layout()
    show_image(fig, alt)
    from course.text import say

    say(f"Figure: {alt.strip()}")  # (lines broken between words: never inside a number)
