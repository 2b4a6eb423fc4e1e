/** report: Observable Plot rendered server-side to SVG, SVG → PNG, chart headers and text fitting, notebook display (the planner diagnostics report lives with the planner). */
export { renderPlot, renderFigure, Plot, type PlotOptions, type RenderedPlot, type RenderOptions } from "./render-plot.js";
export { renderChart, headerSvg, headerHeight, clipText, TARGET_STYLE, ESTIMATE_DASH, type ChartHeader, type LegendItem, type LegendMark } from "./chart-header.js";
export { textBoxes, svgTextBoxes, overflow, overlappingPairs, parseTransform, type TextBox, type Overflow, type SvgNode } from "./text-boxes.js";
export { textWidth } from "./text-metrics.js";
export { toPng, pngSize, type PngOptions } from "./to-png.js";
export { show, showHtml, showSvg, showPng, displayTarget, htmlToText, svgSummary, type Showable, type DisplayTarget } from "./display.js";
