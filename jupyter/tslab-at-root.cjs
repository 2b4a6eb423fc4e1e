// Starts the tslab kernel with the repository root as its working directory. tslab compiles
// cells with rootDir = cwd and refuses imports from outside it, so a notebook in notebooks/
// could not import the SDK; at the root, a cell imports "./sdk/index.js" and reads
// "datasets/..." paths the same way from every notebook.
const path = require("node:path");
const root = path.resolve(__dirname, "..");
process.chdir(root);
require(path.join(root, "node_modules/tslab/dist/main.js")).startKernel({
  configPath: process.argv[2] ?? "",
  enableFindLocal: false,
});
