"""Interactive explorers for the notebooks. Their logic lives here so tests can drive the widgets
by setting slider values and reading the result, exactly as a learner's clicks would."""

from __future__ import annotations

import ipywidgets as widgets

from course.market import sizing
from course.text import lead, readout_format, say

#: Names each slider handle after its slider's description, for screen readers. The handle
#: (noUiSlider, ``role="slider"``) is what takes keyboard focus; noUiSlider can give it a name
#: (its ``handleAttributes`` option) but ipywidgets 8 does not pass one, so a screen reader hears
#: only a number and axe-core reports "aria-input-field-name". Runs where the output is trusted
#: (a cell the learner ran); it only ever adds ``aria-label`` to handles that have none.
NAME_SLIDER_HANDLES = """
(() => {
  const name = () => document.querySelectorAll('.widget-slider').forEach((slider) => {
    const label = slider.querySelector('.widget-label');
    const text = label ? label.textContent.trim() : '';
    slider.querySelectorAll('[role="slider"]:not([aria-label])').forEach((handle) => {
      handle.setAttribute('aria-label', text || 'slider');
    });
  });
  if (!window.courseSliderNames) {
    let queued = false;
    window.courseSliderNames = new MutationObserver(() => {
      if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; name(); }); }
    });
    window.courseSliderNames.observe(document.body, {childList: true, subtree: true});
  }
  name();
})();
"""


def show_explorer(box) -> None:
    """Display an explorer's widget ``box`` and name its slider handles (see
    :data:`NAME_SLIDER_HANDLES`)."""
    from IPython.display import display

    display(box)
    # (an empty text/plain: a saved, untrusted notebook shows nothing rather than "no renderer")
    display({"application/javascript": NAME_SLIDER_HANDLES, "text/plain": ""}, raw=True)


def plot_market(ax, result: dict[str, float]) -> None:
    """Horizontal funnel bars of TAM, SAM and SOM (US$ millions per year) on ``ax``."""
    from course.plots import COLORS

    names = list(result)[::-1]
    values = [result[n] / 1e6 for n in names]
    bars = ax.barh(names, values, color=[COLORS[2], COLORS[1], COLORS[0]])
    for bar, value in zip(bars, values, strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:,.2f}", va="center")
    ax.set_xscale("log")
    # Plain tick labels (0.1, 1, 10), not mathtext ($10^{0}$): a redraw then never parses TeX,
    # which once showed a learner a mathtext traceback in place of the chart.
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def draw_safely(output, draw, summary: str, figsize: tuple[float, float]) -> None:
    """Replace ``output``'s chart with a new one drawn by ``draw(ax)`` and its one-line summary.
    If drawing fails, the learner reads a sentence and the numbers, never a traceback."""
    import matplotlib.pyplot as plt

    from course.plots import figure, show_image

    output.clear_output(wait=True)
    with output:
        fig, ax = figure(figsize=figsize)
        try:
            draw(ax)
            fig.tight_layout()
            show_image(fig, f"{summary}.")
        except Exception as error:  # (any drawing error: the widget must stay usable)
            plt.close(fig)
            print(
                f"The chart could not be drawn ({type(error).__name__}); move a slider to "
                "draw it again. The numbers:"
            )
        say(f"Figure: {summary}.")


class MarketSizer:
    """Sliders for every sizing assumption, a live TAM/SAM/SOM funnel and a one-line summary.

    ``MarketSizer().sliders[name].value = x`` recomputes :attr:`result` and :attr:`summary`.
    Display it in a notebook cell by leaving it as the cell's last expression.
    """

    def __init__(self, draw: bool = True):
        self.draw = draw
        self.sliders = {
            name: widgets.FloatSlider(
                value=a.value,
                min=a.low,
                max=a.high,
                step=a.step,
                description=name.replace("_", " "),
                style={"description_width": "160px"},
                layout={"width": "520px"},
                readout_format=readout_format(a.step),
            )
            for name, a in sizing.ASSUMPTIONS.items()
        }
        self.output = widgets.Output()
        for slider in self.sliders.values():
            slider.observe(lambda _change: self.update(), names="value")
        self.result: dict[str, float] = {}
        self.summary = ""
        self.update()

    def values(self) -> dict[str, float]:
        return {name: slider.value for name, slider in self.sliders.items()}

    def update(self) -> None:
        result = sizing.market_size(**self.values())
        if result == self.result:  # (the browser re-sends a slider's value when it re-renders)
            return
        self.result = result
        r = {k: v / 1e6 for k, v in self.result.items()}
        self.summary = (
            f"TAM US$ {r['TAM']:,.1f} M/yr, SAM US$ {r['SAM']:,.2f} M/yr, "
            f"SOM US$ {r['SOM']:,.3f} M/yr"
        )
        if self.draw:
            self._redraw()

    def _redraw(self) -> None:
        from course.plots import label

        def draw(ax) -> None:
            plot_market(ax, self.result)
            label(
                ax,
                title="Our market, from the assumptions above",
                xlabel="US$ millions per year (log scale)",
                ylabel="Market level",
            )

        draw_safely(self.output, draw, self.summary, figsize=(7, 2.6))

    def box(self) -> widgets.VBox:
        return widgets.VBox([*self.sliders.values(), self.output])

    def _ipython_display_(self) -> None:
        show_explorer(self.box())


class ScoringExplorer:
    """Weight sliders for every scorecard criterion, an additive/multiplicative toggle and a live
    ranking chart. Raw slider positions are rescaled to weights that sum to 1.

    ``ScoringExplorer().sliders[criterion].value = x`` recomputes :attr:`ranking`.
    """

    def __init__(self, draw: bool = True):
        from course.strategy import scorecard

        self.draw = draw
        self.sliders = {
            name: widgets.FloatSlider(
                value=w,
                min=0.0,
                max=0.5,
                step=0.01,
                description=name.replace("_", " "),
                style={"description_width": "130px"},
                layout={"width": "520px"},
                readout_format=readout_format(0.01),
            )
            for name, w in scorecard.DEFAULT_WEIGHTS.items()
        }
        self.method = widgets.ToggleButtons(options=["additive", "multiplicative"])
        self.output = widgets.Output()
        for control in [*self.sliders.values(), self.method]:
            control.observe(lambda _change: self.update(), names="value")
        self.update()

    def weights(self) -> dict[str, float]:
        from course.strategy.scoring import normalise_weights

        return normalise_weights({name: s.value for name, s in self.sliders.items()})

    def update(self) -> None:
        from course.strategy import scorecard
        from course.strategy.scoring import ScoringInputError

        try:
            self.ranking = scorecard.rank_paths(self.weights(), self.method.value)
            top = list(self.ranking.items())
            self.summary = lead(top[0], top[1], decimals=2)  # (a tie at 2 decimals says so)
        except ScoringInputError as error:  # every slider at zero
            self.ranking = None
            self.summary = f"No ranking: {error}"
        if self.draw:
            self._redraw()

    def _redraw(self) -> None:
        from course.plots import COLORS, label

        if self.ranking is None:
            self.output.clear_output(wait=True)
            with self.output:
                print(self.summary)
            return

        def draw(ax) -> None:
            ax.barh(self.ranking.index[::-1], self.ranking.to_numpy()[::-1], color=COLORS[0])
            ax.set_xlim(0, 1)
            label(
                ax,
                title=f"{self.method.value.capitalize()} ranking of commercialization paths",
                xlabel="Score (0 = worst possible, 1 = best possible)",
                ylabel="Path",
            )

        draw_safely(self.output, draw, self.summary, figsize=(7, 3))

    def box(self) -> widgets.VBox:
        return widgets.VBox([self.method, *self.sliders.values(), self.output])

    def _ipython_display_(self) -> None:
        show_explorer(self.box())
