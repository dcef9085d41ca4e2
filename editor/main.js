// The dashboard's scenario editor: CodeMirror 6 with YAML, the project's own loader as linter, completion
// of field names (from the JSON Schema, sent by the page) and of ids defined in the text, Run and Save.
// Built into dashboard/assets/editor.min.js by scripts/build-editor.sh; loaded by editor-load.js.
import { basicSetup, EditorView } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, forceLinting, forEachDiagnostic } from "@codemirror/lint";
import { autocompletion } from "@codemirror/autocomplete";
import { EditorSelection, StateEffect } from "@codemirror/state";

const IDS = { mount: "editor-cm", problems: "editor-problems", status: "editor-status", from: "editor-from",
              run: "editor-run", save: "editor-save", link: "editor-link" };
const BUSY_RETRY_MS = 1000;  // a check the server was too busy for is asked again after this long
const recheck = StateEffect.define();  // dispatched to have the linter check the same text again
// Which section's ids a field refers to.
const REFERS = {
  actor: "actors", to: "actors", between: "actors", by: "actors", from: "actors", knower: "actors",
  subject: "actors", facts: "facts", learns: "facts", requires: "facts", fact: "facts", reveals: "facts",
  channel: "channels", event: "events", source: "sources", derived_from: "sources", opens_at: "meta",
};
const KEY_LINE = /^(\s*)(- )?([A-Za-z_][\w-]*)\s*:(.*)$/;

function el(id) { return document.getElementById(id); }

function base() { return window.backchannelEditorBase || "/"; }

// This page's own name for the server, which runs one check and one run or save at a time for each page.
const PAGE = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

async function post(path, body) {
  const r = await fetch(base() + path, { method: "POST", body: JSON.stringify(body),
                                         headers: { "Content-Type": "application/json", "X-Backchannel-Page": PAGE } });
  if (!r.ok) throw new Error(`the server answered ${r.status}`);
  return r.json();
}

function setStatus(text, kind) {
  const s = el(IDS.status);
  if (!s) return;
  s.textContent = text;  // text only: never markup from the server or the file
  s.className = "editor-status" + (kind ? " editor-status-" + kind : "");
}

function problemWords(n) { return n ? `${n} problem${n === 1 ? "" : "s"}` : "No problems"; }

// The status line for the text in the editor: what the last Run or Save said about it, and what the last check
// found in it. A check that finishes after a Run adds its finding to what the Run said, never replaces it.
function report(editor) {
  const text = editor.view.state.doc.toString();
  const said = editor.said && editor.said.text === text ? editor.said : null;
  const found = editor.found && editor.found.text === text ? editor.found.count : null;
  if (said && said.ok && found !== null) {
    setStatus(`${said.message}. Checked: ${problemWords(found).toLowerCase()}`, found ? "bad" : "ok");
  } else if (said) {
    setStatus(said.message, said.ok ? "ok" : "bad");
  } else if (found !== null) {
    setStatus(problemWords(found), found ? "bad" : "ok");
  }
}

function ranOrSaved(editor, text) { return editor.storing > 0 || (editor.said && editor.said.text === text); }

// -- where the cursor is in the YAML: the field path above it ------------------------------------
function keyIndent(m) { return m[1].length + (m[2] ? 2 : 0); }

function parentPath(doc, lineNo, indent) {
  const path = [];
  let need = indent;
  for (let n = lineNo - 1; n >= 1 && need > 0; n--) {
    const text = doc.line(n).text;
    if (!text.trim() || text.trim().startsWith("#")) continue;
    const m = KEY_LINE.exec(text);
    if (!m) continue;
    const k = keyIndent(m);
    if (k < need) {
      const value = m[4].trim();
      if (!value || value.startsWith("#")) { path.unshift(m[3]); need = k; }
      else if (m[2] && m[1].length < need) { need = k; }
    }
  }
  return path.join(".");
}

function definedIds(doc) {
  const ids = {};
  let section = "";
  for (let n = 1; n <= doc.lines; n++) {
    const text = doc.line(n).text;
    const top = /^([A-Za-z_][\w-]*)\s*:/.exec(text);
    if (top) section = top[1];
    const m = /^\s*-\s*(?:\{\s*)?id\s*:\s*["']?([A-Za-z_][\w-]*)/.exec(text);
    if (m && section) (ids[section] = ids[section] || new Set()).add(m[1]);
  }
  return ids;
}

function completer(fields) {
  return (context) => {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    const key = /^(\s*)(- )?([A-Za-z_][\w-]*)?$/.exec(before);
    if (key) {
      const word = key[3] || "";
      if (!word && !context.explicit) return null;
      const path = parentPath(context.state.doc, line.number, keyIndent(key));
      const names = fields[path] || [];
      return { from: context.pos - word.length, validFor: /^[\w-]*$/,
               options: names.map((n) => ({ label: n, type: "property", apply: n + ": " })) };
    }
    const value = /([A-Za-z_][\w-]*)\s*:\s*(?:\[[^\]]*?,?\s*|\{[^}]*?:\s*)?["']?([A-Za-z_][\w-]*)?$/.exec(before);
    if (!value) return null;
    const word = value[2] || "";
    if (!word && !context.explicit) return null;
    const ids = definedIds(context.state.doc);
    const section = REFERS[value[1]];
    const pool = section ? [...(ids[section] || [])]
                         : Object.values(ids).flatMap((s) => [...s]);
    const kind = section ? section.replace(/s$/, "") : "id";
    return { from: context.pos - word.length, validFor: /^[\w-]*$/,
             options: [...new Set(pool)].map((n) => ({ label: n, type: "variable", detail: kind })) };
  };
}

// -- problems: lint markers and the list ---------------------------------------------------------
function position(doc, p) {
  const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
  const from = Math.min(line.from + Math.max(p.col, 1) - 1, line.to);
  const rest = line.text.slice(from - line.from);
  const word = /^[^\s,\]}:]*/.exec(rest)[0].length;
  return { from, to: word ? from + word : line.to };
}

function showProblems(view, problems) {
  const list = el(IDS.problems);
  if (!list) return;
  list.replaceChildren();
  for (const p of problems) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "editor-problem";
    button.textContent = `${p.line}:${p.col}: ${p.message}`;
    button.dataset.line = p.line;
    button.dataset.col = p.col;
    button.addEventListener("click", () => {
      const at = position(view.state.doc, p).from;
      view.dispatch({ selection: EditorSelection.cursor(at), effects: EditorView.scrollIntoView(at, { y: "center" }) });
      view.focus();
    });
    item.appendChild(button);
    list.appendChild(item);
  }
}

function lintSource(editor) {
  return async (view) => {
    const text = view.state.doc.toString();
    if (!ranOrSaved(editor, text)) setStatus("Checking…", "busy");  // else the status says what Run or Save did
    let answer;
    try {
      answer = await post("editor/check", { text });
    } catch (e) {
      if (!editor.storing) setStatus("Could not check the text: " + e.message, "bad");
      return [];
    }
    if (view.state.doc.toString() !== text) return [];  // typed on meanwhile: the next check follows
    if (answer.busy) {  // the server checks one text of this page at a time, and a few in all: try again
      if (!editor.storing) setStatus(answer.busy, "busy");
      setTimeout(() => {
        if (view.state.doc.toString() === text) view.dispatch({ effects: recheck.of(null) });
      }, BUSY_RETRY_MS);
      const kept = [];  // what the last check found stays marked meanwhile (where the text has moved it)
      forEachDiagnostic(view.state, (d, from, to) => kept.push(Object.assign({}, d, { from, to })));
      return kept;
    }
    const problems = answer.problems || [];
    showProblems(view, problems);
    editor.problems = problems;
    editor.found = { text, count: problems.length };
    if (!editor.storing) report(editor);  // a Run or Save under way reports the check with its own answer
    return problems.map((p) => Object.assign(position(view.state.doc, p),
                                             { severity: "error", message: p.message, source: `${p.line}:${p.col}` }));
  };
}

// -- the URL: which scenario the page shows --------------------------------------------------------
function shownSource() {
  const q = new URLSearchParams(window.location.search);
  if (q.get("saved")) return "saved:" + q.get("saved");
  return q.get("scenario") || "";
}

function navigate(search) {
  if (window.dash_clientside && window.dash_clientside.set_props) {
    window.dash_clientside.set_props("url", { search });
  } else {
    window.location.search = search;
  }
}

function create(mount) {
  const fields = JSON.parse(mount.dataset.completions || "{}").fields || {};
  const editor = { source: undefined, loading: false, base: null, clean: "", problems: [], view: null,
                   storing: 0, said: null, found: null };
  const view = new EditorView({
    parent: mount,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      linter(lintSource(editor), {
        delay: 300,
        needsRefresh: (u) => u.transactions.some((tr) => tr.effects.some((e) => e.is(recheck))),
      }),
      autocompletion({ override: [completer(fields)] }),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": "Scenario YAML" }),
    ],
  });
  editor.view = view;

  function setText(text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    editor.clean = text;
  }

  async function load(source, variant) {
    setStatus("Loading…", "busy");
    editor.loading = true;
    let r;
    try {
      r = await fetch(`${base()}editor/start?from=${encodeURIComponent(source)}&variant=${variant ? 1 : 0}`);
    } finally {
      editor.loading = false;
    }
    editor.source = variant ? null : source;
    if (!r.ok) { setStatus("There is no such scenario on this server.", "bad"); return; }
    const got = await r.json();
    editor.base = got.base;
    setText(got.text);
    forceLinting(view);
  }

  // Run or Save the text; ``describe(answer)`` says what was done, for the status line.
  async function store(route, verb, describe) {
    const text = view.state.doc.toString();
    setStatus(verb + "…", "busy");
    editor.storing += 1;
    let answer;
    try {
      answer = await post(route, { text, base: editor.base, search: window.location.search });
    } catch (e) {
      setStatus(`Could not ${verb.toLowerCase()}: ${e.message}`, "bad");
      return;
    } finally {
      editor.storing -= 1;
    }
    if (answer.busy) {
      setStatus(answer.busy, "bad");
      return;
    }
    if (answer.problems && answer.problems.length) {
      showProblems(view, answer.problems);
      editor.said = { text, ok: false, message: `Not ${verb === "Running" ? "run" : "saved"}: ` +
                                                problemWords(answer.problems.length) };
    } else {
      editor.source = answer.ref;
      editor.clean = text;
      navigate(answer.search);
      editor.said = { text, ok: true, message: describe(answer) };
    }
    report(editor);
  }

  el(IDS.run).addEventListener("click", () => store("editor/run", "Running", (a) =>
    `Ran “${a.title}”; every panel shows it` + (editor.base ? `, compared with ${editor.base}` : "")));
  el(IDS.save).addEventListener("click", () => store("editor/save", "Saving", (a) => {
    const link = el(IDS.link);
    link.value = new URL(base() + a.link, window.location.href).href;
    link.select();
    return `Saved “${a.title}” as ${a.id}; anyone on this server can open the link`;
  }));
  el(IDS.from).addEventListener("change", (e) => {
    const v = e.target.value;
    e.target.value = "";
    if (!v) return;
    const [how, name] = [v.slice(0, v.indexOf(":")), v.slice(v.indexOf(":") + 1)];
    load(name, how === "variant");
  });
  // Follow the page's scenario while the text is unchanged (a changed text is never thrown away); a new
  // variant follows nothing until it is run.
  setInterval(() => {
    const shown = shownSource();
    if (!editor.loading && editor.source !== null && shown !== editor.source
        && view.state.doc.toString() === editor.clean) load(shown, false);
  }, 500);
  load(shownSource(), false);
  return editor;
}

function start() {
  const mount = el(IDS.mount);
  if (!mount || mount.dataset.ready) return false;
  mount.dataset.ready = "1";
  window.backchannelEditor = Object.assign(create(mount), { page: PAGE });
  return true;
}

if (!start()) {
  const timer = setInterval(() => { if (start()) clearInterval(timer); }, 200);
}
