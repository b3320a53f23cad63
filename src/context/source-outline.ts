/**
 * What a source file declares and what its head comment says, read line by line.
 *
 * Why no parser: memory needs the names a file offers (its top-level declarations and exports) and
 * one line about it, for many languages and tens of thousands of files per scan. A real parser
 * per language (tree-sitter grammars, the TypeScript compiler) would mean native or WASM grammars
 * to ship for each language and milliseconds per file; top-level declarations start at the
 * beginning of a line in every language below, so one regular expression per form finds them in
 * microseconds. What it misses: declarations split over lines before their name, names made by
 * macros or decorators, and `export { … }` lists spanning lines (their first line is read).
 */

export interface SourceOutline {
  /** Top-level declarations, exported ones first for languages that say so; at most MAX_SYMBOLS. */
  readonly symbols: readonly string[];
  /** The first sentence of the file's head comment (or docstring, or Markdown title); '' if none. */
  readonly summary: string;
}

export const MAX_SYMBOLS = 40;
const MAX_SUMMARY = 200;
/** Only the head of a file is searched for its comment; declarations are read in the whole file. */
const HEAD_LINES = 80;

type Family = 'c-like' | 'python' | 'hash' | 'markdown';

/** Symbol patterns per language: the capture group 1 is the name. */
const SYMBOL_PATTERNS: Readonly<Record<string, readonly RegExp[]>> = {
  TypeScript: [
    /^export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|const\s+enum|namespace|const|let|var)\s+([\p{L}_$][\p{L}\p{N}_$]*)/u,
    /^(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum)\s+([\p{L}_$][\p{L}\p{N}_$]*)/u,
  ],
  JavaScript: [
    /^export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([\p{L}_$][\p{L}\p{N}_$]*)/u,
    /^(?:module\.)?exports\.([\p{L}_$][\p{L}\p{N}_$]*)\s*=/u,
    /^(?:async\s+)?(?:function\*?|class)\s+([\p{L}_$][\p{L}\p{N}_$]*)/u,
  ],
  Python: [/^(?:async\s+)?def\s+([\p{L}_][\p{L}\p{N}_]*)/u, /^class\s+([\p{L}_][\p{L}\p{N}_]*)/u, /^([A-Z][A-Z0-9_]*)\s*(?::[^=]*)?=/u],
  Go: [
    /^func\s+\(\s*(?:\w+\s+)?\*?\s*([\p{L}_][\p{L}\p{N}_]*)(?:\[[^\]]*\])?\s*\)\s*([\p{L}_][\p{L}\p{N}_]*)/u,
    /^func\s+([\p{L}_][\p{L}\p{N}_]*)/u,
    /^type\s+([\p{L}_][\p{L}\p{N}_]*)/u,
    /^(?:var|const)\s+([\p{L}_][\p{L}\p{N}_]*)/u,
  ],
  Rust: [
    /^pub(?:\([^)]*\))?\s+(?:const\s+|async\s+|unsafe\s+|extern\s+"[^"]*"\s+)*(?:fn|struct|enum|trait|type|const|static|mod|union|macro_rules!)\s+([\p{L}_][\p{L}\p{N}_]*)/u,
    /^(?:async\s+|unsafe\s+)*(?:fn|struct|enum|trait|type|union)\s+([\p{L}_][\p{L}\p{N}_]*)/u,
    /^macro_rules!\s*([\p{L}_][\p{L}\p{N}_]*)/u,
  ],
  Java: [
    /^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|protected|private|abstract|final|static|sealed|non-sealed|strictfp)\s+)*(?:class|interface|enum|record|@interface)\s+([\p{L}_][\p{L}\p{N}_]*)/u,
    // Public members of the top-level type, one indentation level in.
    /^(?:\t| {2}| {4})(?:@\w+\s+)*public\s+(?:(?:static|final|abstract|synchronized|default)\s+)*(?:<[^>]*>\s+)?[\w<>[\],.? ]+?\s+([\p{L}_][\p{L}\p{N}_]*)\s*\(/u,
  ],
  Kotlin: [/^(?:(?:public|internal|private|open|abstract|sealed|data|inline|value|enum|annotation|suspend)\s+)*(?:class|interface|object|fun|val|var|typealias)\s+(?:<[^>]*>\s*)?(?:[\w.]+\.)?([\p{L}_][\p{L}\p{N}_]*)/u],
  'C#': [/^\s{0,4}(?:public|internal)\s+(?:(?:static|sealed|abstract|partial|readonly|record)\s+)*(?:class|interface|struct|enum|record|delegate)\s+([\p{L}_][\p{L}\p{N}_]*)/u],
  Ruby: [/^\s{0,2}(?:class|module)\s+([A-Z]\w*(?:::\w+)*)/u, /^\s{0,2}def\s+(?:self\.)?([a-z_]\w*[?!=]?)/u],
  PHP: [/^(?:(?:abstract|final|readonly)\s+)*(?:class|interface|trait|enum)\s+([\p{L}_][\p{L}\p{N}_]*)/u, /^function\s+([\p{L}_][\p{L}\p{N}_]*)/u],
  Swift: [/^(?:(?:public|open|internal|final)\s+)*(?:class|struct|enum|protocol|actor|func|extension)\s+([\p{L}_][\p{L}\p{N}_]*)/u],
  Scala: [/^(?:(?:case|abstract|sealed|final|implicit)\s+)*(?:class|object|trait|def)\s+([\p{L}_][\p{L}\p{N}_]*)/u],
  Shell: [/^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\)\s*\{?/u],
};

/** `export { a, b as c }` and `export { x } from '…'`: the exported names. */
const EXPORT_LIST = /^export\s+(?:type\s+)?\{([^}]*)\}?/u;
/** Python's `__all__ = ['a', 'b']`: the module's declared public names. */
const PYTHON_ALL = /^__all__\s*=\s*[[(]([^\])]*)/;

const FAMILY: Readonly<Record<string, Family>> = {
  Python: 'python',
  Ruby: 'hash',
  Shell: 'hash',
  PowerShell: 'hash',
  R: 'hash',
  Julia: 'hash',
  Elixir: 'hash',
  Terraform: 'hash',
  YAML: 'hash',
  TOML: 'hash',
  Makefile: 'hash',
  Dockerfile: 'hash',
  Markdown: 'markdown',
};

const LICENSE = /\b(copyright|licen[cs]e[ds]?|spdx-license-identifier|all rights reserved)\b/i;

/** Languages with declarations worth reading on indented lines (members of a top-level type). */
const INDENTED_DECLARATIONS: ReadonlySet<string> = new Set(['Java', 'C#', 'Ruby']);

/** The outline of a file's text, for a language as named by the scanner's LANGUAGE_MAP / FORMAT_MAP. */
export function outlineSource(text: string, language: string): SourceOutline {
  const bytes = Buffer.from(text, 'utf8');
  return outlineBytes(bytes, bytes.length, language);
}

/**
 * The same from a file's bytes (the first `length` of `bytes`, UTF-8). Lines are found in a
 * latin1 copy of the bytes — one byte per character, so its indices are byte offsets, and V8
 * searches it natively — and only the lines that may declare something and the head are decoded
 * as UTF-8: most of a file (bodies, indented lines) is never turned into line strings.
 */
export function outlineBytes(bytes: Buffer, length: number, language: string): SourceOutline {
  const file: FileText = { bytes, length, scan: bytes.toString('latin1', 0, length) };
  const family = FAMILY[language] ?? 'c-like';
  const patterns = SYMBOL_PATTERNS[language];
  const symbols = patterns ? declarations(file, language, patterns) : { names: [], firstLine: -1 };
  // Lines are decoded as the comment search reaches them: it stops at the head comment's end.
  const lines = lazyLines(file);
  const summary =
    family === 'markdown'
      ? markdownTitle(lines)
      : family === 'python'
        ? pythonDocstring(lines) || hashComment(lines)
        : family === 'hash'
          ? hashComment(lines)
          : leadingCComment(lines) || commentAbove(lines, symbols.firstLine);
  return { symbols: symbols.names, summary: firstSentence(summary) };
}

interface FileText {
  readonly bytes: Buffer;
  readonly length: number;
  /** The bytes as latin1: for finding lines and first words, never shown. */
  readonly scan: string;
}

/** The line starting at byte `start`, as UTF-8, without its line ending. */
function lineAt(file: FileText, start: number): { text: string; next: number } {
  const newline = file.scan.indexOf('\n', start);
  const end = newline < 0 ? file.length : newline;
  const stop = end > start && file.scan.charCodeAt(end - 1) === 13 ? end - 1 : end;
  return { text: file.bytes.toString('utf8', start, stop), next: end + 1 };
}

/** A file's lines by index, each decoded when first asked for; undefined past the last. */
interface Lines {
  at(index: number): string | undefined;
}

function lazyLines(file: FileText): Lines {
  const decoded: string[] = [];
  let offset = 0;
  return {
    at(index) {
      while (decoded.length <= index && offset < file.length) {
        const line = lineAt(file, offset);
        decoded.push(line.text);
        offset = line.next;
      }
      return index >= 0 ? decoded[index] : undefined;
    },
  };
}

/**
 * The words a declaration line starts with, per language: other lines (imports, statements) are
 * passed over without being decoded. Languages not listed test every line starting with a letter.
 */
const DECLARATION_STARTS: Readonly<Record<string, readonly string[]>> = {
  TypeScript: ['export', 'function', 'class', 'interface', 'type', 'enum', 'declare', 'abstract', 'async', 'namespace'],
  JavaScript: ['export', 'module.exports', 'exports.', 'function', 'class', 'async'],
  Python: ['def', 'class', 'async', '__all__'],
  Go: ['func', 'type', 'var', 'const'],
  Rust: ['pub', 'fn', 'struct', 'enum', 'trait', 'type', 'union', 'async', 'unsafe', 'macro_rules'],
};

/** Whether the line at `at` may declare something in this language (see DECLARATION_STARTS). */
function mayDeclare(scan: string, at: number, language: string, indented: boolean): boolean {
  const code = scan.charCodeAt(at);
  const lower = code >= 97 && code <= 122;
  const upper = code >= 65 && code <= 90;
  if (!(lower || upper || code === 95 || code === 36 || code === 64 || (indented && (code === 32 || code === 9)))) return false;
  const starts = DECLARATION_STARTS[language];
  if (!starts) return true;
  // Python's module constants: a capital letter first.
  if (language === 'Python' && upper) return true;
  for (const word of starts) if (word.charCodeAt(0) === code && scan.startsWith(word, at)) return true;
  return false;
}

/**
 * Declarations, line by line: a line that cannot start one (bodies, comments, blank lines — most
 * of a file) costs a character test and is never decoded.
 */
function declarations(file: FileText, language: string, patterns: readonly RegExp[]): { names: string[]; firstLine: number } {
  const exported: string[] = [];
  const other: string[] = [];
  let firstLine = -1;
  const exportsAreExplicit = language === 'TypeScript' || language === 'JavaScript';
  const indented = INDENTED_DECLARATIONS.has(language);
  const { scan } = file;
  let start = 0;
  for (let i = 0; start < file.length && exported.length < MAX_SYMBOLS; i++) {
    const lineStart = start;
    if (!mayDeclare(scan, lineStart, language, indented)) {
      const newline = scan.indexOf('\n', start);
      start = newline < 0 ? file.length : newline + 1;
      continue;
    }
    const { text: line, next } = lineAt(file, lineStart);
    start = next;
    if (exportsAreExplicit && line.startsWith('export')) {
      const list = EXPORT_LIST.exec(line);
      if (list) {
        for (const part of (list[1] ?? '').split(',')) {
          const name = /(?:\bas\s+)?([\p{L}_$][\p{L}\p{N}_$]*)\s*$/u.exec(part.trim())?.[1];
          if (name && name !== 'default') exported.push(name);
        }
        if (firstLine < 0) firstLine = i;
        continue;
      }
    }
    if (language === 'Python' && line.startsWith('__all__')) {
      const all = PYTHON_ALL.exec(line);
      if (all) {
        for (const match of (all[1] ?? '').matchAll(/['"]([A-Za-z_]\w*)['"]/g)) if (match[1]) exported.push(match[1]);
        continue;
      }
    }
    for (let index = 0; index < patterns.length; index++) {
      const match = patterns[index]?.exec(line);
      if (!match) continue;
      const name = language === 'Go' && match[2] ? `${match[1] ?? ''}.${match[2]}` : (match[1] ?? '');
      if (name === '' || (language === 'Python' && name.startsWith('_'))) break;
      if (firstLine < 0) firstLine = i;
      // TS/JS: the first pattern is `export …`; the others are declarations kept only when nothing is exported.
      if (exportsAreExplicit && !(index === 0 || (language === 'JavaScript' && index === 1))) other.push(name);
      else exported.push(name);
      break;
    }
  }
  const names = exportsAreExplicit && exported.length > 0 ? exported : [...exported, ...other];
  return { names: [...new Set(names)].slice(0, MAX_SYMBOLS), firstLine };
}

/** The first comment block among the file's leading lines that is not a licence header. */
function leadingCComment(lines: Lines): string {
  let i = 0;
  while (i < HEAD_LINES && lines.at(i) !== undefined) {
    const line = (lines.at(i) ?? '').trim();
    if (line === '' || line.startsWith('#!') || /^['"]use strict['"];?$/.test(line)) {
      i += 1;
      continue;
    }
    const block = commentBlockAt(lines, i);
    if (!block) return '';
    if (!LICENSE.test(block.text)) return block.text;
    i = block.end + 1;
  }
  return '';
}

/** The doc comment right above a declaration (Java's class comment after package and imports). */
function commentAbove(lines: Lines, declaration: number): string {
  if (declaration < 0) return '';
  let end = declaration - 1;
  while (end >= 0 && /^\s*(@\w+.*)?$/.test(lines.at(end) ?? '')) end -= 1; // blank lines and annotations
  const last = (lines.at(end) ?? '').trim();
  if (last.endsWith('*/')) {
    let start = end;
    while (start > 0 && !(lines.at(start) ?? '').includes('/*')) start -= 1;
    return commentBlockAt(lines, start)?.text ?? '';
  }
  if (last.startsWith('//')) {
    let start = end;
    while (start > 0 && (lines.at(start - 1) ?? '').trim().startsWith('//')) start -= 1;
    return commentBlockAt(lines, start)?.text ?? '';
  }
  return '';
}

/** A `/* … *\/` block or a run of `//` lines starting at line `start`, without its markers. */
function commentBlockAt(lines: Lines, start: number): { text: string; end: number } | undefined {
  const first = (lines.at(start) ?? '').trim();
  if (first.startsWith('/*')) {
    const body: string[] = [];
    for (let i = start; i < start + HEAD_LINES; i++) {
      const raw = lines.at(i);
      if (raw === undefined) return { text: docText(body), end: i - 1 };
      const closes = raw.includes('*/');
      body.push(raw.replace(/^\s*\/\*+!?/, '').replace(/\*+\/.*$/, '').replace(/^\s*\*(?!\/)/, ''));
      if (closes) return { text: docText(body), end: i };
    }
    return { text: docText(body), end: start + HEAD_LINES - 1 };
  }
  if (first.startsWith('//')) {
    const body: string[] = [];
    let i = start;
    while ((lines.at(i) ?? '').trim().startsWith('//')) {
      body.push((lines.at(i) ?? '').trim().replace(/^\/\/[/!]?/, ''));
      i += 1;
    }
    return { text: docText(body), end: i - 1 };
  }
  return undefined;
}

function pythonDocstring(lines: Lines): string {
  let i = 0;
  while (i < HEAD_LINES && lines.at(i) !== undefined) {
    const line = (lines.at(i) ?? '').trim();
    if (line === '' || line.startsWith('#') || /^from\s+__future__\s+import\b/.test(line)) i += 1;
    else break;
  }
  const open = /^[rRuU]?("""|''')/.exec((lines.at(i) ?? '').trim());
  if (!open) return '';
  const quote = open[1] ?? '"""';
  const body: string[] = [];
  for (let j = i; j < i + HEAD_LINES; j++) {
    let text = lines.at(j);
    if (text === undefined) break;
    if (j === i) text = text.trim().slice(open[0].length);
    const close = text.indexOf(quote);
    if (close >= 0) {
      body.push(text.slice(0, close));
      break;
    }
    body.push(text);
  }
  return docText(body);
}

/** Leading `#` comments, after a shebang, an encoding line or other pragmas. */
function hashComment(lines: Lines): string {
  let i = 0;
  const body: string[] = [];
  while (i < HEAD_LINES && lines.at(i) !== undefined) {
    const line = (lines.at(i) ?? '').trim();
    if (body.length === 0 && (line === '' || line.startsWith('#!') || /^#.*(-\*-|coding[:=]|frozen_string_literal|shellcheck)/.test(line))) {
      i += 1;
      continue;
    }
    if (!line.startsWith('#')) break;
    body.push(line.replace(/^#+/, ''));
    i += 1;
  }
  const text = docText(body);
  return LICENSE.test(text) ? '' : text;
}

function markdownTitle(lines: Lines): string {
  for (let i = 0; i < HEAD_LINES; i++) {
    const line = lines.at(i)?.trim();
    if (line === undefined) break;
    if (line === '' || line === '---' || /^<!--.*-->$/.test(line) || /^\[!\[/.test(line)) continue;
    return line.replace(/^#+\s*/, '');
  }
  return '';
}

/** The first paragraph of comment lines, doc tags and blank lines dropped, whitespace collapsed. */
function docText(body: readonly string[]): string {
  const paragraph: string[] = [];
  for (const raw of body) {
    const line = raw.trim();
    if (line.startsWith('@')) break;
    if (line === '') {
      if (paragraph.length > 0) break;
      continue;
    }
    paragraph.push(line);
  }
  return paragraph.join(' ').replace(/\s+/g, ' ').trim();
}

function firstSentence(text: string): string {
  const end = /[.!?](\s|$)/.exec(text);
  const sentence = end ? text.slice(0, end.index + 1) : text;
  return sentence.length > MAX_SUMMARY ? `${sentence.slice(0, MAX_SUMMARY - 1)}…` : sentence;
}

/**
 * The words of a path or identifiers, split where a reader splits them: separators (`/`, `.`,
 * `-`, `_`, spaces), camelCase and PascalCase humps, acronyms (`HTTPServer` → http, server) and
 * letter/digit boundaries. Lower-cased, deduplicated, in order.
 */
export function identifierWords(text: string): string[] {
  const spaced = text
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
  const found = spaced.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(found)];
}
