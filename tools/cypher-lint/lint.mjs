#!/usr/bin/env node
// Lint Cypher files with Neo4j's own Cypher linter (SPEC.md §1, last portable-Cypher rule).
//
// Usage:  node tools/cypher-lint/lint.mjs <file-or-directory>...
//   A directory is searched recursively for *.cypher files; a file is linted whatever its name.
//   One file = one statement; files may start with `//` comment lines.
//
// Output (stdout): one JSON object per line and per diagnostic:
//   {"file", "line", "column", "severity", "message", "blocking"}
//   line/column are 1-based positions in the file. severity is error|warning|info|hint.
//   blocking=true marks the diagnostics that make the run fail.
// A one-line summary goes to stderr.
// Exit status: 0 = no blocking diagnostic, 1 = at least one, 2 = usage / internal error.
//
// Choices (documented here because the library's API is barely documented):
// * Library: @neo4j-cypher/language-support, pinned in package.json to 2.0.0-next.20, the newest
//   release whose `engines` allows Node 20 (next.26 needs Node >= 22.15, next.36+ Node >= 24.11).
//   Its ESM build uses extension-less imports that Node cannot resolve, so the CommonJS build is
//   loaded through createRequire.
// * Signature: lintCypherQuery(query: string, dbSchema: DbSchema, consoleCommandsEnabled?: boolean)
//   -> SyntaxDiagnostic[] (LSP Diagnostic: severity 1=Error 2=Warning 3=Information 4=Hint,
//   0-based range, plus character offsets). It runs the ANTLR parser (syntax errors) and Neo4j's
//   own semantic analysis (compiled from the Neo4j front end: undefined variables, wrong
//   argument counts, removed syntax such as ON ... ASSERT or exists(n.prop), ...).
// * Dialect: Neo4j 5. The library's `cypher25` feature flag stays off and dbSchema.defaultLanguage
//   is 'CYPHER 5', so every statement is analysed as Cypher 5. A statement that explicitly
//   selects another version (`CYPHER 25 ...`) is reported as a blocking error by this script,
//   because neither Neo4j 5 nor the embedded server accepts it.
// * Schema: no labels / relationship types / property keys are given, so the library does not
//   warn about "unknown" labels (it only checks them when both lists are present). Functions and
//   procedures ARE given, so misspelt or plugin-only calls fail: without a function list the
//   library checks no function names at all (`datetim()` would pass). The list is the library's
//   own Neo4j 5 catalogue (testData.mockSchema, dumped from a Neo4j 5 server), restricted to
//   built-in functions (isBuiltIn) and built-in procedures (db.*, dbms.*, tx.*): APOC and GDS
//   calls are therefore errors, which is what we want, since the embedded server has neither.
// * Parameters: dbSchema.parameters is empty, so the library reports every `$param` as
//   "Parameter $x is not defined." (severity Error). Those are expected (parameters are bound at
//   run time) and are printed with blocking=false. A diagnostic counts as an undeclared-parameter
//   one only if its message matches UNDECLARED_PARAM and the source text it points at starts
//   with `$`; a self-check at start-up lints `RETURN $x` and exits 2 if that recognition no longer
//   matches what the library reports (e.g. after an upgrade that rewords the message).
// * Extra blocking checks by this script: a file with no statement, more than one statement,
//   or a non-Cypher-5 version prefix.

import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
let lib;
try {
  lib = require('@neo4j-cypher/language-support');
} catch (e) {
  process.stderr.write(
    `cypher-lint: cannot load @neo4j-cypher/language-support (${e.message}).\n` +
      'Run `npm ci --prefix tools/cypher-lint` first.\n',
  );
  process.exit(2);
}
const { lintCypherQuery, parserWrapper, testData } = lib;

const DIALECT = 'CYPHER 5';
const UNDECLARED_PARAM = /^Parameter \$(.+) is not defined\.?$/;
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

function buildSchema() {
  const catalogue = testData?.mockSchema;
  const fns = catalogue?.functions?.[DIALECT];
  const procs = catalogue?.procedures?.[DIALECT];
  if (!fns || !procs) {
    throw new Error(`the library no longer ships a ${DIALECT} function/procedure catalogue`);
  }
  const functions = {};
  for (const [name, fn] of Object.entries(fns)) if (fn.isBuiltIn) functions[name] = fn;
  const procedures = {};
  for (const [name, proc] of Object.entries(procs)) {
    if (/^(db|dbms|tx)\./.test(name)) procedures[name] = proc;
  }
  if (!functions.datetime || !functions.coalesce) {
    throw new Error('built-in function catalogue looks incomplete (no datetime/coalesce)');
  }
  return {
    functions: { [DIALECT]: functions },
    procedures: { [DIALECT]: procedures },
    defaultLanguage: DIALECT,
  };
}

function isUndeclaredParameter(diag, text) {
  if (!UNDECLARED_PARAM.test(diag.message)) return false;
  const off = diag.offsets;
  if (!off || typeof off.start !== 'number') return true; // message alone is specific enough
  return text.slice(off.start, off.start + 1) === '$';
}

function lintText(text, schema) {
  const out = [];
  const add = (line, column, severity, message, blocking) =>
    out.push({ line, column, severity, message, blocking });

  const statements = parserWrapper
    .parse(text)
    .statementsParsing.filter((s) => s.command?.type !== 'cypher' || s.command.statement.trim());
  if (statements.length === 0) {
    add(1, 1, 'error', 'file contains no Cypher statement', true);
    return out;
  }
  if (statements.length > 1) {
    const s = statements[1].command;
    add(s.start?.line ?? 1, (s.start?.column ?? 0) + 1, 'error',
      `file contains ${statements.length} statements; exactly one statement per file is allowed`, true);
  }
  for (const s of statements) {
    if (s.cypherVersion && s.cypherVersion !== DIALECT) {
      const c = s.command;
      add(c.start?.line ?? 1, (c.start?.column ?? 0) + 1, 'error',
        `statement selects ${s.cypherVersion}; only the Neo4j 5 dialect (${DIALECT}) is allowed`, true);
    }
  }

  for (const d of lintCypherQuery(text, schema)) {
    const severity = SEVERITY[d.severity] ?? 'error';
    const param = isUndeclaredParameter(d, text);
    add(d.range.start.line + 1, d.range.start.character + 1, severity, d.message,
      severity === 'error' && !param);
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function selfCheck(schema) {
  const text = 'RETURN $x AS x';
  const diags = lintCypherQuery(text, schema);
  const params = diags.filter((d) => isUndeclaredParameter(d, text));
  if (diags.length !== 1 || params.length !== 1) {
    throw new Error(
      'self-check failed: expected exactly one recognised undeclared-parameter diagnostic for ' +
        `"${text}", got ${JSON.stringify(diags.map((d) => d.message))}`,
    );
  }
  const broken = lintCypherQuery('MATCH (a:Account RETURN a', schema);
  if (!broken.some((d) => d.severity === 1)) {
    throw new Error('self-check failed: a syntax error was not reported');
  }
}

function collect(arg, files) {
  let st;
  try {
    st = statSync(arg);
  } catch {
    throw new Error(`no such file or directory: ${arg}`);
  }
  if (st.isDirectory()) {
    const entries = readdirSync(arg, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(arg, e.name);
      if (e.isDirectory()) collect(p, files);
      else if (e.name.endsWith('.cypher')) files.push(p);
    }
  } else {
    files.push(arg);
  }
}

function main(argv) {
  if (argv.length === 0) {
    process.stderr.write('usage: node lint.mjs <file-or-directory>...\n');
    return 2;
  }
  const t0 = Date.now();
  const schema = buildSchema();
  selfCheck(schema);
  const files = [];
  for (const a of argv) collect(a, files);

  let blocking = 0;
  let params = 0;
  let other = 0;
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    for (const d of lintText(text, schema)) {
      process.stdout.write(JSON.stringify({ file, ...d }) + '\n');
      if (d.blocking) blocking += 1;
      else if (d.severity === 'error') params += 1;
      else other += 1;
    }
  }
  process.stderr.write(
    `cypher-lint: ${files.length} file(s), ${blocking} blocking error(s), ` +
      `${params} undeclared-parameter diagnostic(s) ignored, ${other} warning(s)/note(s), ` +
      `${Date.now() - t0} ms\n`,
  );
  return blocking > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`cypher-lint: ${e.message}\n`);
  process.exitCode = 2;
}
