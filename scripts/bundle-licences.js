// Prints the licences of every package bundled into the file esbuild's metafile (argv[2]) describes, for the
// bundle's LICENSE.txt: each package's name, version, licence and text, the package named argv[3] (if any)
// first. Run by scripts/build-plotly.sh and scripts/build-editor.sh (node_modules are found from the
// metafile's paths, relative to the folder it is run in).
"use strict";
const fs = require("fs");
const path = require("path");

// For a package that ships no licence file: the licence its package.json names, with its author as the
// copyright holder (the MIT licence's text in full, which asks for that notice).
const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE
USE OR OTHER DEALINGS IN THE SOFTWARE.`;
function stated(pkg) {
  const author = typeof pkg.author === "string" ? pkg.author : (pkg.author && pkg.author.name) || "its authors";
  const head = `(The package ships no licence file; its package.json names the ${pkg.license} licence.)\n\n` +
    `Copyright (c) ${author}`;
  return pkg.license === "MIT" ? `MIT License\n\n${head}\n\n${MIT}` : head;
}

const meta = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const roots = new Set();
for (const output of Object.values(meta.outputs)) {
  for (const [input, used] of Object.entries(output.inputs)) {
    if (!used.bytesInOutput || input.endsWith(".css")) { continue; }  // style sheets are bundled as nothing
    const parts = input.split("/");
    const at = parts.lastIndexOf("node_modules");
    if (at < 0) { continue; }
    roots.add(parts.slice(0, at + (parts[at + 1].startsWith("@") ? 3 : 2)).join("/"));
  }
}
const first = process.argv[3] ? `node_modules/${process.argv[3]}` : null;
const order = [...roots].sort((a, b) => ((b === first) - (a === first)) || a.localeCompare(b));
for (const root of order) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const file = fs.readdirSync(root).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? fs.readFileSync(path.join(root, file), "utf8").trim() : stated(pkg);
  process.stdout.write(`${"=".repeat(72)}\n${pkg.name} ${pkg.version} (${pkg.license || "see below"})\n\n${text}\n\n`);
}
