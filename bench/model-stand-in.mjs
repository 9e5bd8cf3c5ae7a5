#!/usr/bin/env node
// A model-server stand-in for benchmarks: an HTTP server speaking as much of Ollama's API as
// gpt-api uses (GET /api/version, GET /api/tags, POST /api/show, GET /api/ps, and POST
// /api/chat streaming NDJSON or not), answering every stream at a fixed pace: the first token
// STAND_IN_FIRST_TOKEN_MS after the request, then one every STAND_IN_TOKEN_MS, up to
// STAND_IN_TOKENS tokens (or options.num_predict, if smaller). Tokens are numbered, `t0 `,
// `t1 `, ..., so a client can check an answer for lost, doubled or reordered tokens.
// No slot limit: every stream runs on its own timers, however many arrive at once. It is an
// instrument for measuring the pipeline in front of it, not a test double.
//
//   node bench/model-stand-in.mjs [--port 0] [--tokens 64] [--first-token-ms 20] [--token-ms 10]
//
// Prints one line, `listening on http://127.0.0.1:<port>`, once it accepts connections.
// GET /stand-in/stats (not Ollama's) tells streams served, running and the most at once.
// Environment: STAND_IN_PORT, STAND_IN_HOST (127.0.0.1), STAND_IN_TOKENS, STAND_IN_FIRST_TOKEN_MS,
// STAND_IN_TOKEN_MS, STAND_IN_MODELS (comma-separated names it has, default gemma3:270m).
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    tokens: { type: 'string' },
    'first-token-ms': { type: 'string' },
    'token-ms': { type: 'string' },
    models: { type: 'string' },
  },
});

function number(name, value, fallback) {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got '${value}'`);
  return n;
}

const config = {
  port: number('port', args.port ?? process.env.STAND_IN_PORT, 0),
  host: args.host ?? process.env.STAND_IN_HOST ?? '127.0.0.1',
  tokens: Math.floor(number('tokens', args.tokens ?? process.env.STAND_IN_TOKENS, 64)),
  firstTokenMs: number('first-token-ms', args['first-token-ms'] ?? process.env.STAND_IN_FIRST_TOKEN_MS, 20),
  tokenMs: number('token-ms', args['token-ms'] ?? process.env.STAND_IN_TOKEN_MS, 10),
  models: (args.models ?? process.env.STAND_IN_MODELS ?? 'gemma3:270m')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean),
};

const VERSION = '0.17.4';
const MODIFIED_AT = new Date().toISOString();
const DETAILS = {
  parent_model: '',
  format: 'gguf',
  family: 'gemma3',
  families: ['gemma3'],
  parameter_size: '268.10M',
  quantization_level: 'Q4_K_M',
};
const known = (name) => config.models.includes(name) || config.models.includes(`${name}:latest`);
const tagOf = (name) => ({
  name,
  model: name,
  modified_at: MODIFIED_AT,
  size: 253_113_024,
  digest: `standin${Buffer.from(name).toString('hex')}`.padEnd(64, '0').slice(0, 64),
  details: DETAILS,
});

const stats = { streams: 0, active: 0, maxActive: 0, tokens: 0, aborted: 0 };

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/** Prompt tokens, roughly as a tokenizer would count them: a token per 4 characters, plus the turn markers. */
function promptTokensOf(messages) {
  let chars = 0;
  for (const m of Array.isArray(messages) ? messages : []) chars += String(m?.content ?? '').length;
  return Math.max(1, Math.ceil(chars / 4)) + 4 * Math.max(1, Array.isArray(messages) ? messages.length : 1);
}

/** How many tokens this request gets: num_predict when it asks for fewer than the configured answer. */
function lengthOf(options) {
  const asked = Number(options?.num_predict);
  if (Number.isInteger(asked) && asked >= 0 && asked < config.tokens) return { count: asked, reason: 'length' };
  return { count: config.tokens, reason: 'stop' };
}

const ms2ns = (ms) => Math.round(ms * 1e6);

function finalChunk(model, count, reason, promptTokens, startedAt, firstAt) {
  const now = performance.now();
  const promptMs = (firstAt ?? now) - startedAt;
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: reason,
    total_duration: ms2ns(now - startedAt),
    load_duration: 0,
    prompt_eval_count: promptTokens,
    prompt_eval_duration: ms2ns(promptMs),
    eval_count: count,
    eval_duration: ms2ns(now - (firstAt ?? now)),
  };
}

async function chat(req, res) {
  let body;
  try {
    body = await readJson(req);
  } catch {
    return sendJson(res, 400, { error: 'invalid JSON body' });
  }
  const model = String(body.model ?? '');
  if (!model) return sendJson(res, 400, { error: 'model is required' });
  if (!known(model)) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
  const { count, reason } = lengthOf(body.options);
  const promptTokens = promptTokensOf(body.messages);
  const startedAt = performance.now();
  const stream = body.stream !== false;
  stats.streams++;
  stats.active++;
  stats.maxActive = Math.max(stats.maxActive, stats.active);
  let timer;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    stats.active--;
  };
  res.on('close', () => {
    if (!res.writableFinished) stats.aborted++;
    clearTimeout(timer);
    finish();
  });

  if (!stream) {
    // One JSON answer once the whole text would have been generated.
    timer = setTimeout(
      () => {
        const text = Array.from({ length: count }, (_, i) => `t${i} `).join('');
        stats.tokens += count;
        const firstAt = startedAt + config.firstTokenMs;
        const last = finalChunk(model, count, reason, promptTokens, startedAt, count > 0 ? firstAt : undefined);
        sendJson(res, 200, { ...last, message: { role: 'assistant', content: text } });
        finish();
      },
      config.firstTokenMs + Math.max(0, count - 1) * config.tokenMs,
    );
    return;
  }

  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  let sent = 0;
  let firstAt;
  // Token i is due at startedAt + firstTokenMs + i * tokenMs: scheduled against the start,
  // so a late timer does not push every later token back.
  const next = () => {
    if (res.destroyed) return;
    if (sent < count) {
      firstAt ??= performance.now();
      res.write(
        `${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: `t${sent} ` }, done: false })}\n`,
      );
      sent++;
      stats.tokens++;
    }
    if (sent >= count) {
      res.end(`${JSON.stringify(finalChunk(model, count, reason, promptTokens, startedAt, firstAt))}\n`);
      finish();
      return;
    }
    const due = startedAt + config.firstTokenMs + sent * config.tokenMs;
    timer = setTimeout(next, Math.max(0, due - performance.now()));
  };
  timer = setTimeout(next, config.firstTokenMs);
}

async function show(req, res) {
  let body;
  try {
    body = await readJson(req);
  } catch {
    return sendJson(res, 400, { error: 'invalid JSON body' });
  }
  const model = String(body.model ?? body.name ?? '');
  if (!known(model)) return sendJson(res, 404, { error: `model '${model}' not found` });
  sendJson(res, 200, {
    license: '',
    modelfile: `FROM ${model}\n`,
    parameters: 'stop "<end_of_turn>"',
    template: '{{ .Prompt }}',
    details: DETAILS,
    model_info: { 'general.architecture': 'gemma3', 'gemma3.context_length': 32768 },
    capabilities: ['completion'],
    modified_at: MODIFIED_AT,
  });
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  const route = `${req.method} ${path}`;
  const handle = {
    'GET /': () => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Ollama is running');
    },
    'HEAD /': () => {
      res.writeHead(200);
      res.end();
    },
    'GET /api/version': () => sendJson(res, 200, { version: VERSION }),
    'GET /api/tags': () => sendJson(res, 200, { models: config.models.map(tagOf) }),
    'GET /api/ps': () =>
      sendJson(res, 200, {
        models: config.models.map((m) => ({ ...tagOf(m), expires_at: new Date(Date.now() + 600_000).toISOString(), size_vram: 0 })),
      }),
    'POST /api/show': () => show(req, res),
    'POST /api/chat': () => chat(req, res),
    // Not Ollama's: what the stand-in has done, for the bench to read; `?reset=1` starts
    // maxActive (the most streams at once) over from the streams running now.
    'GET /stand-in/stats': () => {
      sendJson(res, 200, { ...stats, config });
      if (new URL(req.url ?? '/', 'http://x').searchParams.get('reset') === '1') stats.maxActive = stats.active;
    },
  }[route];
  if (!handle) {
    req.resume();
    return sendJson(res, 404, { error: `${route} is not something this stand-in answers` });
  }
  Promise.resolve(handle()).catch((error) => {
    if (!res.headersSent) sendJson(res, 500, { error: String(error?.message ?? error) });
    else res.destroy();
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0; // streams may be long

server.listen(config.port, config.host, () => {
  const { port } = server.address();
  console.log(`listening on http://${config.host}:${port}`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
