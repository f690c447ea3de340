// node tools/precompile.mjs SITE_PYODIDE_DIR PACKAGE...: start Pyodide from the site's own copy (its lock, its
// wheels, its standard library) with PACKAGE..., import what a course session imports, and add those modules'
// bytecode to the wheels and to python_stdlib.zip (tools/precompile.py). Prints {"file name": modules compiled}
// as the last line. Called by tools/build_site.py's precompile().
import { readFileSync } from "fs";
import { fileURLToPath } from "url";
import path from "path";

const [dir, ...packages] = process.argv.slice(2);
const root = path.resolve(dir) + "/";
const { loadPyodide } = await import(root + "pyodide.mjs");
const pyodide = await loadPyodide({ indexURL: root, packages });
pyodide.FS.mkdirTree("/site");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root }, "/site");
const here = path.dirname(fileURLToPath(import.meta.url));
pyodide.runPython(readFileSync(path.join(here, "precompile.py"), "utf8"));
const report = pyodide.runPython('import json; json.dumps(compile_site("/site"))');
console.log(report);
