export { renderPlot, renderFigure, Plot, type PlotOptions, type RenderedPlot } from "./render-plot.js";
export { toPng, pngSize, type PngOptions } from "./to-png.js";
