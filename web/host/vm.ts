// node:vm as kernel-ts/module/watchdog.ts uses it, in the browser build
// (scripts/build-web.mjs substitutes this file for that one import): a Script
// run in a context is its code evaluated with the context's names in scope,
// and there is no timeout: a page cannot interrupt synchronous code in a
// worker. Module loops are counted instead (kernel-ts/module/loops.ts), and
// for what no counter reaches the page notices a worker that stops answering
// and offers to restart it (web/page/main.ts).

export type Context = Record<string, unknown>;

export function createContext(names: Context): Context {
  return names;
}

export class Script {
  private readonly fn: (ctx: Context) => unknown;

  constructor(code: string, _options?: { filename?: string }) {
    // Sloppy-mode Function: `with` puts the context's names in scope, as a vm context's globals are.
    this.fn = new Function('__vmlab_ctx', `with (__vmlab_ctx) { return (${code}); }`) as (ctx: Context) => unknown;
  }

  runInContext(ctx: Context, _options?: { timeout?: number; displayErrors?: boolean }): unknown {
    return this.fn(ctx);
  }
}
