export { toArquero, fromArquero, type ColumnTable } from "./to-arquero.js";
export { toDanfo, fromDanfo, dropMissing, dfd, type DataFrame } from "./to-danfo.js";
