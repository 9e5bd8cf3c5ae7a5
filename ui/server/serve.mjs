// The chat UI's production server: serves the Vite build (ui/dist) as static files, with
// Node's own http module and nothing else, so its image holds node and the files alone.
//
//   PORT         listen port (default 8080)
//   HOST         listen address (default 127.0.0.1; the image sets 0.0.0.0)
//   GATEWAY_URL  the gateway's base URL as the browser reaches it, handed to the app at run
//                time through GET /config.json (default empty: the gateway shares the UI's
//                origin, e.g. behind one Ingress). Never baked into the build.
//   UI_DIST      the folder to serve (default: ../dist beside this file)
//
// Routes: GET /config.json, GET /healthz, files of UI_DIST; any other path without a file
// extension gets index.html, so the app's own routes (/c/<id>, /keys) survive a reload.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

// Vite names what it emits under assets/ by content hash, so a file there never changes.
const IMMUTABLE = 'public, max-age=31536000, immutable';
// index.html (and anything else unhashed) is revalidated on every load, so a new release is
// picked up at once; the ETag makes that a 304 when nothing changed.
const REVALIDATE = 'no-cache';

/** Reads and checks the environment; a bad value stops the start with a message naming it. */
export function loadConfig(env = process.env) {
  const problems = [];
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT: must be a port number (got '${env.PORT}')`);
  const gatewayUrl = env.GATEWAY_URL ?? '';
  let gatewayOrigin = '';
  if (gatewayUrl !== '') {
    try {
      const url = new URL(gatewayUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      gatewayOrigin = url.origin;
    } catch {
      problems.push(`GATEWAY_URL: must be an http(s) URL such as https://api.example.com (got '${gatewayUrl}')`);
    }
  }
  if (problems.length > 0) throw new Error(`ui server: invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    gatewayUrl,
    gatewayOrigin,
    root: resolve(env.UI_DIST || join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')),
  };
}

/**
 * The headers every answer carries. The CSP admits the app's own scripts and styles only
 * (no inline script, no eval), images from itself and data: URLs, and network access to
 * itself and the gateway; the page may not be framed.
 */
export function securityHeaders(gatewayOrigin) {
  const connect = ["'self'", gatewayOrigin].filter(Boolean).join(' ');
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ${connect}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

function log(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service: 'ui', msg, ...fields })}\n`);
}

/**
 * The file a URL path names inside root, or null when it would leave root or names a hidden
 * file. The path is decoded first, so %2e%2e and %2f cannot smuggle a `..` past the check.
 */
export function fileOf(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s.startsWith('.'))) return null; // also every `..`
  const file = resolve(root, ...segments);
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function fileStat(file) {
  try {
    const s = await stat(file);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

function send(req, res, status, headers, body) {
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendFile(req, res, file, info, cacheControl) {
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': cacheControl,
    ETag: etag,
    'Last-Modified': info.mtime.toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', (error) => {
    log('error', 'Could not read a file', { file, error: error.message });
    res.destroy(error);
  });
  stream.pipe(res);
}

/** The request handler: config, health, files, and index.html for the app's routes. */
export function createHandler(config) {
  const common = securityHeaders(config.gatewayOrigin);
  const index = join(config.root, 'index.html');
  const configBody = JSON.stringify({ gatewayUrl: config.gatewayUrl });

  return async (req, res) => {
    for (const [name, value] of Object.entries(common)) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }, 'Method Not Allowed\n');
      return;
    }
    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://ui.invalid').pathname;
    } catch {
      send(req, res, 400, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Bad Request\n');
      return;
    }

    if (pathname === '/config.json') {
      send(req, res, 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, configBody);
      return;
    }
    if (pathname === '/healthz') {
      const ok = (await fileStat(index)) !== null;
      send(req, res, ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
        ok ? 'ok\n' : 'index.html is missing\n');
      return;
    }

    const file = fileOf(config.root, pathname);
    if (file === null) {
      send(req, res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not Found\n');
      return;
    }
    const info = file === config.root ? null : await fileStat(file);
    if (info) {
      const hashed = pathname.startsWith('/assets/') && file !== index;
      sendFile(req, res, file, info, hashed ? IMMUTABLE : REVALIDATE);
      return;
    }
    // A missing asset or file is a 404 (a stale hashed name must not get HTML back); a path
    // without an extension is one of the app's routes.
    if (pathname.startsWith('/assets/') || extname(pathname) !== '') {
      send(req, res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Not Found\n');
      return;
    }
    const indexInfo = await fileStat(index);
    if (!indexInfo) {
      send(req, res, 503, { 'Content-Type': 'text/plain; charset=utf-8' }, 'The UI is not built (index.html is missing)\n');
      return;
    }
    sendFile(req, res, index, indexInfo, REVALIDATE);
  };
}

/** Starts the server; resolves once it listens. SIGTERM and SIGINT close it gracefully. */
export async function start(config = loadConfig()) {
  const handler = createHandler(config);
  const server = createServer((req, res) => {
    handler(req, res).catch((error) => {
      log('error', 'A request failed', { url: req.url, error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end();
    });
  });
  // Long-lived keep-alive connections from browsers must not hold a shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log('info', 'Listening', { url, root: config.root, gatewayUrl: config.gatewayUrl || '(same origin)' });

  let closing = false;
  const shutdown = (signal) => {
    if (closing) return;
    closing = true;
    log('info', 'Shutting down', { signal });
    server.close(() => {
      log('info', 'Stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    // Requests still running after 10 s (a slow download) are cut off.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return { server, url };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await start();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
