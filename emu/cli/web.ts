// `vmlab web [--port N] [--open]`: serves the browser lab (web/dist, made by
// `npm run build:web`, built here first when missing) on 127.0.0.1. The
// server only hands out the static files: the machine and kernel run in the
// page's Web Worker (docs/web.md).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { readHostBytes } from '../../host/files';
import { UserError } from './errors';
import { parseInteger } from './option-values';

interface WebArgs {
  port?: unknown;
  open: boolean;
}

/** The port `vmlab web` listens on unless told (0: any free port). */
export const DEFAULT_WEB_PORT = 8017;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The vmlab installation's root (the folder with scripts/build-web.mjs), from this module: emu/cli/ in the sources, dist/ when bundled. */
function installRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'scripts', 'build-web.mjs'))) return dir;
    dir = dirname(dir);
  }
  throw new UserError('cannot find scripts/build-web.mjs next to the vmlab installation');
}

/** web/dist, built with scripts/build-web.mjs when it has no index.html yet. */
export function webSite(say: (s: string) => void): string {
  const root = installRoot();
  const site = join(root, 'web', 'dist');
  if (!existsSync(join(site, 'index.html'))) {
    say('vmlab web: building the site first (npm run build:web)...\n');
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'build-web.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      throw new UserError('the browser build failed (its messages are above); run npm run build:web');
    }
  }
  return site;
}

/** The file under `site` that a request path names, or null (outside the site, or not a regular file). */
export function siteFile(site: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (p.endsWith('/')) p += 'index.html';
  const file = normalize(join(site, p));
  if (file !== site && !file.startsWith(site + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

function handle(site: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('405 only GET and HEAD\n');
    return;
  }
  const file = siteFile(site, req.url ?? '/');
  if (file === null) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 not found\n');
    return;
  }
  const r = readHostBytes(file, 'a file of the site');
  if (!r.ok) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`404 ${r.reason}\n`);
    return;
  }
  const body = r.value;
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Opens url in the desktop's browser (xdg-open, open, start); a failure is one line. */
function openBrowser(url: string, say: (s: string) => void): void {
  const cmd = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore', detached: true });
  child.on('error', (e) => say(`vmlab web: cannot open a browser (${cmd[0]}: ${e.message}); open ${url} yourself\n`));
  child.unref();
}

export const webCommand: CommandModule<object, WebArgs> = {
  command: 'web',
  describe: 'Serve the lab in a browser on 127.0.0.1 (the machine and kernel run in the page)',
  builder: (y) =>
    y
      .option('port', { requiresArg: true, describe: `the port to listen on (0: any free one; default ${DEFAULT_WEB_PORT})` })
      .option('open', { type: 'boolean', default: false, describe: "open the page in the desktop's browser" })
      .epilogue('The static site is web/dist (npm run build:web); any static host can serve it. See docs/web.md.'),
  handler: async (argv) => {
    const port = argv.port === undefined ? DEFAULT_WEB_PORT : parseInteger('--port', argv.port, { min: 0, max: 65535 });
    const say = (s: string): void => void process.stdout.write(s);
    const site = webSite(say);
    const server = createServer((req, res) => handle(site, req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'EADDRINUSE' ? new UserError(`port ${port} on 127.0.0.1 is in use; try --port 0 (any free port)`) : new UserError(`cannot listen on 127.0.0.1:${port}: ${e.message}`)),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : port}/`;
    say(`vmlab web: serving the lab at ${url} (Ctrl-C to stop)\n`);
    if (argv.open) openBrowser(url, say);
    process.on('SIGINT', () => server.close(() => process.exit(0)));
  },
};
