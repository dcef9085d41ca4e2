// Prints the licenses of every package bundled into the file esbuild's metafile (argv[2]) describes, for
// the bundle's LICENSE.txt: plotly.js's first, then each other package's name, version, license and text.
"use strict";
const fs = require("fs");
const path = require("path");

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
const order = [...roots].sort((a, b) => (b.endsWith("/plotly.js") - a.endsWith("/plotly.js")) || a.localeCompare(b));
for (const root of order) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const file = fs.readdirSync(root).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? fs.readFileSync(path.join(root, file), "utf8").trim() : "(no license file in the package)";
  process.stdout.write(`${"=".repeat(72)}\n${pkg.name} ${pkg.version} (${pkg.license || "see below"})\n\n${text}\n\n`);
}
