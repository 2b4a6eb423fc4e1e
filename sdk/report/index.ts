export { renderPlot, renderFigure, Plot, type PlotOptions, type RenderedPlot } from "./render-plot.js";
export { toPng, pngSize, type PngOptions } from "./to-png.js";
export { renderDiagnosticsReport, diagnosticsCharts, replicaTransitions, clock, REPORT_GEOMETRY, PATH_COLORS, type DiagnosticsReportInput, type DiagnosticsChart } from "./diagnostics-report.js";
