// Types of driver-sources.mjs (for the tests that import it).
export function portedDrivers(builtinsTs: string): string[];
export function compileDrivers(esbuild: typeof import('esbuild'), dir: string, names: readonly string[]): Record<string, string>;
