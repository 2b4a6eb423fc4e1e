/** core: seeded randomness, the virtual clock, percentiles, rows and their files, input errors, progress, dataset paths. */
export { Rng, rng, hash32, type Seed } from "./rng.js";
export { EventQueue, type Scheduled } from "./event-queue.js";
export { quantile, quantileSorted, describe, type QuantileMethod, type Distribution } from "./quantile.js";
export { toCsv, toJsonl, parseCsv, readCsvFile, writeFileAtomic, columnsOf, type Row, type RowLike, type Cell } from "./rows.js";
export { InputError, type InputLocation } from "./errors.js";
export { Progress, type ProgressOptions } from "./progress.js";
export { sharedDatasetsDir, sharedDataset } from "./paths.js";
