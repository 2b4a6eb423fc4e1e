/** frames: rows as arquero tables and danfo DataFrames (types kept, missing values null). */
export { toArquero, fromArquero, type ColumnTable } from "./to-arquero.js";
export { toDanfo, fromDanfo, dropMissing, loadDanfo, type DataFrame } from "./to-danfo.js";
