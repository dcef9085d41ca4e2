// Prints the licence of every package bundled into editor.min.js (run by scripts/build-editor.sh).
const fs = require("fs");
const path = require("path");

const lock = JSON.parse(fs.readFileSync(path.join(__dirname, "package-lock.json"), "utf8"));
const out = ["Third-party software bundled in editor.min.js (the backchannel scenario editor).", ""];
for (const [where, info] of Object.entries(lock.packages).sort()) {
  if (!where || info.dev) continue;
  const dir = path.join(__dirname, where);
  const file = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  out.push("=".repeat(72), `${where.replace(/^node_modules\//, "")} ${info.version} (${info.license})`, "=".repeat(72));
  out.push(file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : `License: ${info.license}`, "");
}
process.stdout.write(out.join("\n") + "\n");
