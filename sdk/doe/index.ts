/** Design of experiments: experiment files, designs, sweeps, tidy results, factor analysis, plots. */
export { designFromPoints, withParams, replicate, repeatedMeasures, withCenterPoints, withBlocks, randomize, designRows, distinctLevels, type Design, type DesignRun, type DesignKind, type FractionInfo, type Level, type Point } from "./design.js";
export { fullFactorial, fractionalFactorial, oneFactorAtATime, termsUpTo, resolutionNumeral, FACTOR_LETTERS, type FactorLevels, type TwoLevelFactor } from "./factorial.js";
export { latinHypercube, randomSample, maximinDistance, type NumericRange, type SampledFactor, type LatinHypercubeOptions } from "./space-filling.js";
export {
  expandExperiment, experimentDesign, experimentSize, sanitizeName, sectionFactorNames,
  type Experiment, type ExperimentFactor, type ExperimentTreatment, type ExperimentSection, type ExperimentRun, type ExperimentOptions,
  type ExperimentWarning, type ExperimentFormat, type ExperimentDesignOptions, type ExperimentDesignOverrides,
} from "./experiment.js";
export { parseExperiment, readExperimentFile, experimentFromObject, defineExperiment, experimentToYaml, dottedToNested, toLevel, type ParseOptions, type ExperimentSpec, type ExperimentFactorSpec } from "./experiment-file.js";
export { runSweep, runSeed, writeSweepResults, fileRows, type SweepOptions, type SweepResult, type SweepTiming, type TreatmentFn, type TreatmentInput, type TreatmentResult, type RunStatus } from "./sweep.js";
export { cacheKey, canonicalJson, SweepCache, type CacheEntry, type CacheKeyParts } from "./sweep-cache.js";
export { parseShard, shardRuns, mergeShards, readResultsJsonl, type Shard, type MergeResult } from "./shard.js";
export { indexedJobManifest, indexedJobYaml, type IndexedJobOptions } from "./indexed-job.js";
export { anova, isBalanced, type AnovaOptions, type AnovaRow, type AnovaTable } from "./anova.js";
export { mainEffects, interactionMeans, twoLevelEffects, lenth, effectInference, type LevelMean, type CellMean, type Effect, type TwoLevelEffects, type LenthResult, type EffectInference } from "./effects.js";
export { analyzeFactors, guessFactors, RUN_COLUMNS, type FactorAnalysis, type FactorAnalysisOptions } from "./analysis.js";
export { termsOf, parseTerm, fitModel, analysisRows, type Term, type ModelFit } from "./linear-model.js";
export { fSurvival, fCdf, fQuantile, tCdf, tTwoSided, tQuantile, normalQuantile } from "./distributions.js";
export { mainEffectsPlot, interactionPlotMatrix, paretoPlot, halfNormalPlot, residualsPlot, writePlot, type StandardizedEffect } from "./effect-plots.js";
export { syntheticResponse, type SyntheticInput } from "./synthetic-response.js";
