// Types of linux-reference.mjs (for the tests that import it).
export interface Decl { names: string[]; kind: string; text: string }
export type Item =
  | { kind: 'header'; lines: string[] }
  | { kind: 'note'; lines: string[] }
  | { kind: 'section'; title: string }
  | { kind: 'group'; doc: string[]; decls: Decl[] };
export const API_DOC: string;
export const MODULES_DOC: string;
export const INDEX_BEGIN: string;
export const INDEX_END: string;
export const CHAPTERS: { title: string; headers: [string, string][] }[];
export function chaptersFor(headers: Map<string, unknown>): { title: string; headers: [string, string][] }[];
export function reexportedHeaders(root: string): string[];
export function parseDeclarations(file: string): Item[];
export function readHeaders(root: string): Map<string, Item[]>;
export function headerNames(items: Item[]): string[];
export function slug(heading: string): string;
export function commentToMarkdown(lines: string[]): string[];
export function renderApiDoc(root: string): string;
export function renderIndex(root: string): string[];
export function renderModulesDoc(root: string): string;
export function compilerExports(root: string): Promise<Map<string, string>>;
export function crossCheck(root: string): Promise<string[]>;
export function apiDocNames(text: string): string[];
export function indexNames(text: string): string[];
export function compareNames(exported: Iterable<string>, listed: string[]): { missing: string[]; extra: string[]; duplicated: string[] };
