// Types of build-web.mjs (for the tests that import it).
export const TWINS: Readonly<Record<string, string>>;
export const BUILTIN_TWINS: Readonly<Record<string, string>>;
export function isNodeBuiltin(spec: string): boolean;
export function bundleWorker(o: { root?: string; entry: string; outfile: string; define?: Record<string, string>; write?: boolean; minify?: boolean }): Promise<{ ok: true; bytes: number } | { ok: false; errors: string[] }>;
