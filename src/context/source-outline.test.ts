import { describe, expect, it } from 'vitest';
import { identifierWords, outlineSource } from './source-outline.js';

describe('source outline', () => {
  it('TypeScript: exports (declarations, lists, re-exports) and the head comment past a licence header', () => {
    const text = [
      '/*',
      ' * Copyright 2024 Someone. Licensed under the MIT License.',
      ' */',
      '/**',
      ' * Retries calls with backoff. Only transient failures are retried.',
      ' *',
      ' * @module retry',
      ' */',
      "import { x } from './x.js';",
      'export const DEFAULT_ATTEMPTS = 3;',
      'export async function withRetry<T>(fn: () => Promise<T>): Promise<T> {',
      '  const inner = 1;',
      '}',
      'export interface RetryOptions {',
      'export type Backoff = number;',
      'export default class RetryPolicy {}',
      'function helper() {}',
      "export { helper as retryHelper, other } from './other.js';",
    ].join('\n');
    expect(outlineSource(text, 'TypeScript')).toEqual({
      symbols: ['DEFAULT_ATTEMPTS', 'withRetry', 'RetryOptions', 'Backoff', 'RetryPolicy', 'retryHelper', 'other'],
      summary: 'Retries calls with backoff.',
    });
  });

  it('JavaScript without exports: its top-level functions and classes; CommonJS exports', () => {
    expect(outlineSource('#!/usr/bin/env node\n// Prints the date.\nfunction main() {}\nclass Clock {}\n', 'JavaScript')).toEqual({
      symbols: ['main', 'Clock'],
      summary: 'Prints the date.',
    });
    expect(outlineSource("'use strict';\nexports.parse = function () {};\nmodule.exports.format = 1;\n", 'JavaScript').symbols).toEqual(['parse', 'format']);
  });

  it('Python: the module docstring, public defs, classes and constants; __all__ counts', () => {
    const text = '#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"""Rate limiting for HTTP clients.\n\nMore text.\n"""\nimport os\nMAX_RATE = 10\ndef limit(n):\n    def inner(): pass\nasync def fetch():\n    pass\nclass Bucket:\n    def take(self): pass\ndef _private(): pass\n';
    expect(outlineSource(text, 'Python')).toEqual({ symbols: ['MAX_RATE', 'limit', 'fetch', 'Bucket'], summary: 'Rate limiting for HTTP clients.' });
    expect(outlineSource("'''One line.'''\n__all__ = ['a', \"b\"]\n", 'Python')).toEqual({ symbols: ['a', 'b'], summary: 'One line.' });
  });

  it('Go: the package comment, functions, methods as Type.Method, types and vars', () => {
    const text = '// Package queue holds jobs until a worker takes them.\npackage queue\n\ntype Queue struct {}\nfunc New() *Queue { return nil }\nfunc (q *Queue) Push(j Job) {}\nfunc (Queue) Len() int { return 0 }\nvar ErrFull = errors.New("full")\n';
    expect(outlineSource(text, 'Go')).toEqual({
      symbols: ['Queue', 'New', 'Queue.Push', 'Queue.Len', 'ErrFull'],
      summary: 'Package queue holds jobs until a worker takes them.',
    });
  });

  it('Rust: the crate or module doc (//!), pub and private items at the top level', () => {
    const text = '//! A ring buffer with a fixed capacity.\n//! Second line.\n\npub struct Ring<T> {}\npub(crate) fn grow() {}\npub async fn drain() {}\nfn helper() {}\nimpl<T> Ring<T> {\n    pub fn push(&mut self) {}\n}\nmacro_rules! ring { () => {} }\n';
    expect(outlineSource(text, 'Rust')).toEqual({
      symbols: ['Ring', 'grow', 'drain', 'helper', 'ring'],
      summary: 'A ring buffer with a fixed capacity.',
    });
  });

  it("Java: the class's Javadoc after package and imports, the class and its public methods", () => {
    const text = [
      '/* Licensed under the Apache License, Version 2.0 */',
      'package org.example;',
      '',
      'import java.util.List;',
      '',
      '/**',
      ' * Sends invoices by e-mail. Thread-safe.',
      ' */',
      '@Service',
      'public final class InvoiceMailer {',
      '    public InvoiceMailer() {}',
      '    public void send(Invoice invoice) {}',
      '    public static <T> List<T> batch(List<T> all) { return all; }',
      '    private void log() {}',
      '}',
    ].join('\n');
    expect(outlineSource(text, 'Java')).toEqual({ symbols: ['InvoiceMailer', 'send', 'batch'], summary: 'Sends invoices by e-mail.' });
  });

  it('Markdown: the first heading; shell: the leading comment', () => {
    expect(outlineSource('<!-- toc -->\n\n# Deploying the service\n\ntext', 'Markdown')).toEqual({ symbols: [], summary: 'Deploying the service' });
    expect(outlineSource('#!/bin/sh\n# Builds the release tarball.\nset -e\nbuild() {\n}\n', 'Shell')).toEqual({ symbols: ['build'], summary: 'Builds the release tarball.' });
  });

  it('decodes UTF-8 in comments and names (lines are found by byte, read as UTF-8)', () => {
    expect(outlineSource('/** Prüft Eingaben → meldet Fehler. */\nexport const größe = 1;\nexport function 名前() {}\n', 'TypeScript')).toEqual({
      symbols: ['größe', '名前'],
      summary: 'Prüft Eingaben → meldet Fehler.',
    });
  });

  it('a long head comment is cut to 200 characters', () => {
    const summary = outlineSource(`// ${'word '.repeat(100)}\n`, 'Go').summary;
    expect(summary).toHaveLength(200);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('splits paths and identifiers into words: separators, camelCase, acronyms, digits', () => {
    expect(identifierWords('src/resilience/circuit-breaker.ts createCircuitBreaker HTTPServer snake_case v2Api')).toEqual([
      'src', 'resilience', 'circuit', 'breaker', 'ts', 'create', 'http', 'server', 'snake', 'case', 'v', '2', 'api',
    ]);
  });
});
