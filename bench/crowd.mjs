#!/usr/bin/env node
// The crowd benchmark: what the durable pipeline costs and how it holds up under many
// streams at once, with the model taken out of the picture. It starts the model stand-in
// (bench/model-stand-in.mjs: 20 ms to the first token, then one every 10 ms, 64 tokens, no
// slot limit) and a Shoshizan of its own in front of it (the four services from their
// builds, on free ports, with their own database and topic prefix on the local PostgreSQL
// and Kafka, so a system started with `npm start` is not disturbed), then, at 1, 16, 64 and
// 256 concurrent streams, sends the same requests straight to the stand-in and through
// the gateway (POST /v1/chat, SSE), side by side, and measures:
//   time to first token p50/p99 and what the pipeline adds to it, the client-side
//   inter-token gap p99, answers a second, CPU ms per answer of every service, Kafka and
//   PostgreSQL (from /proc), the services' RSS, and every answer's tokens checked for lost,
//   doubled and reordered ones (the stand-in numbers them);
// then durable accepts (POST /v1/chat answering with its headers, from many clients that
// only enqueue) and the services' CPU while idle. Everything it started is stopped at the
// end, and its database and topics removed, even when it fails.
//
// Figures go to stdout, bench/results/crowd-latest.json and bench/results/crowd-latest.txt.
// Run by `npm run bench` (scripts/bench.sh); alone: `node bench/crowd.mjs` with PostgreSQL
// and Kafka running (`bash scripts/infra/postgres.sh start`, `bash scripts/infra/kafka.sh
// start`) and the services built (`npm run build`). Settings (environment):
//   BENCH_CROWD_LEVELS        concurrent streams per level            1,16,64,256
//   BENCH_CROWD_ROUNDS        answers per level = rounds x streams    3
//   BENCH_CROWD_MIN_ANSWERS   ... but at least this many              20
//   BENCH_CROWD_ANSWERS       a fixed number of answers per level (overrides the two above)
//   BENCH_CROWD_SECONDS       time budget per level and path; a level cut by it reports
//                             what completed                          60
//   BENCH_CROWD_DRAIN_SECONDS after a cut: how long cancelled streams may take to end   20
//   BENCH_CROWD_TOKENS        tokens per answer (maxTokens)           64
//   BENCH_CROWD_STREAMS_PER_USER  streams per user (the load comes from many users)  4
//   BENCH_SERVICE_NODE_ARGS   node flags of the services (profiling)  none
//   BENCH_ACCEPT_CLIENTS      clients of the durable-accepts phase    64
//   BENCH_ACCEPT_SECONDS      its length                              10
//   BENCH_IDLE_SECONDS        the idle measurement                    5
//   CAPACITY                  generations in flight the services are sized for (max level)
//   BENCH_LOG_LEVEL           the services' LOG_LEVEL                 info
//   BENCH_CROWD_OUT           where the JSON goes                     bench/results/crowd-latest.json
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_STARTED = Date.now();

// ---------------------------------------------------------------- settings

const env = process.env;
const int = (name, fallback) => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got '${value}'`);
  return n;
};
const LEVELS = (env.BENCH_CROWD_LEVELS ?? '1,16,64,256').split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CROWD_LEVELS: '${s}' is not a positive whole number`);
  return n;
});
const ROUNDS = int('BENCH_CROWD_ROUNDS', 3);
const MIN_ANSWERS = int('BENCH_CROWD_MIN_ANSWERS', 20);
const FIXED_ANSWERS = int('BENCH_CROWD_ANSWERS', 0);
const BUDGET_MS = int('BENCH_CROWD_SECONDS', 60) * 1000;
const DRAIN_MS = int('BENCH_CROWD_DRAIN_SECONDS', 20) * 1000;
const TOKENS = int('BENCH_CROWD_TOKENS', 64);
const STREAMS_PER_USER = Math.max(1, int('BENCH_CROWD_STREAMS_PER_USER', 4));
const ACCEPT_CLIENTS = int('BENCH_ACCEPT_CLIENTS', 64);
const ACCEPT_MS = int('BENCH_ACCEPT_SECONDS', 10) * 1000;
const IDLE_MS = int('BENCH_IDLE_SECONDS', 5) * 1000;
const CAPACITY = int('CAPACITY', Math.max(...LEVELS));
const LOG_LEVEL = env.BENCH_LOG_LEVEL ?? 'info';
const OUT = resolve(env.BENCH_CROWD_OUT ?? join(ROOT, 'bench', 'results', 'crowd-latest.json'));
const MODEL = 'stand-in:latest';
const FIRST_TOKEN_MS = 20;
const TOKEN_MS = 10;

const HOME = env.SHOSHIZAN_HOME ?? join(os.homedir(), '.cache', 'shoshizan');
const KAFKA_BROKERS = env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? 19092}`;
const DATABASE_URL = env.DATABASE_URL ?? `postgres://shoshizan@127.0.0.1:${env.POSTGRES_PORT ?? 15432}/shoshizan`;
const RUN_ID = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const PREFIX = `${RUN_ID}.`;
const LOG_DIR = join(HOME, 'logs', 'bench-crowd');
const PID_FILE = join(HOME, 'run', 'bench-crowd.pids');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const SERVICES = ['gpt-api', 'kafka-producer', 'kafka-consumer', 'gateway'];

// ---------------------------------------------------------------- output

const report = [];
const say = (line = '') => {
  console.log(line);
  report.push(line);
};
const note = (line) => console.error(`[crowd] ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// kafkajs (the admin client) sets a negative timeout on Node.js 24, which only warns; other warnings are shown.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning') console.error(`[crowd] ${warning.name}: ${warning.message}`);
});

// ---------------------------------------------------------------- processes

const children = new Map(); // name -> { child, pid, log }

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function rememberPids() {
  mkdirSync(dirname(PID_FILE), { recursive: true });
  writeFileSync(PID_FILE, [...children.values()].map((c) => `${c.pid} ${c.marker}`).join('\n'));
}

/** Processes a crowd run that was killed outright left behind: ended, if they are still ours. */
function stopLeftovers() {
  if (!existsSync(PID_FILE)) return;
  for (const line of readFileSync(PID_FILE, 'utf8').split('\n')) {
    const [pid, marker] = line.split(' ');
    if (!pid || !marker) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone
    }
    if (cmdline.includes(marker)) {
      note(`ending pid ${pid} (${marker}), left by an earlier crowd run`);
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Spawns `node script` with its output in a log file of this run. */
function spawnNode(name, script, childEnv) {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = join(LOG_DIR, `${RUN_ID}-${name}.log`);
  const fd = openSync(log, 'a');
  // BENCH_SERVICE_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`: where the CPU goes, per process.
  const nodeArgs = (env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script], { env: childEnv, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.set(name, { child, pid: child.pid, log, marker: script });
  rememberPids();
  return { child, log };
}

async function stopChild(name, timeoutMs = 20_000) {
  const entry = children.get(name);
  if (!entry) return;
  const { child } = entry;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
  children.delete(name);
  rememberPids();
}

async function startStandIn() {
  mkdirSync(LOG_DIR, { recursive: true });
  const port = await freePort();
  const { child, log } = spawnNode('stand-in', join(ROOT, 'bench', 'model-stand-in.mjs'), {
    PATH: env.PATH ?? '',
    STAND_IN_PORT: String(port),
    STAND_IN_TOKENS: String(TOKENS),
    STAND_IN_FIRST_TOKEN_MS: String(FIRST_TOKEN_MS),
    STAND_IN_TOKEN_MS: String(TOKEN_MS),
    STAND_IN_MODELS: MODEL,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`the stand-in exited with ${child.exitCode}; see ${log}`);
    if (await fetch(`${url}/api/version`).then((r) => r.ok, () => false)) return { url, port };
    await sleep(100);
  }
  throw new Error(`the stand-in did not start; see ${log}`);
}

async function startService(name, serviceEnv) {
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  const { child, log } = spawnNode(name, join(ROOT, 'services', name, 'dist', 'main.js'), {
    PATH: env.PATH ?? '',
    HOME: env.HOME ?? os.homedir(),
    ...serviceEnv,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    HOST: '127.0.0.1',
    LOG_LEVEL,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${log}`);
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return { name, url, port, pid: child.pid, log };
      last = await response.text();
    } catch (error) {
      last = error.message;
    }
    await sleep(300);
  }
  throw new Error(`${name} was not ready after 120 s (last answer: ${last}); see ${log}`);
}

// ---------------------------------------------------------------- /proc

function readStat(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' '); // from field 3 (state)
  return {
    ppid: Number(rest[1]),
    ticks: Number(rest[11]) + Number(rest[12]), // utime + stime
    childTicks: Number(rest[13]) + Number(rest[14]), // cutime + cstime: children that exited
  };
}

function rssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const commOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};
const cmdlineOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};
const pidsOnMachine = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);

/** The Kafka broker of local mode: the pid file of scripts/infra/kafka.sh, else the one java running kafka.Kafka. */
function findKafka() {
  const file = join(HOME, 'run', 'kafka.pid');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (cmdlineOf(pid).includes('kafka.Kafka')) return pid;
  }
  const brokers = pidsOnMachine().filter((pid) => cmdlineOf(pid).includes('kafka.Kafka'));
  if (brokers.length > 1) note(`several Kafka brokers run (${brokers.join(', ')}); counting ${brokers[0]}`);
  return brokers[0] ?? null;
}

/** The postmaster serving DATABASE_URL's port: its postmaster.pid names the port. */
function findPostmaster() {
  const port = new URL(DATABASE_URL).port || '5432';
  const postgres = pidsOnMachine().filter((pid) => ['postgres', 'postmaster'].includes(commOf(pid)));
  const masters = postgres.filter((pid) => {
    try {
      return !postgres.includes(readStat(pid).ppid);
    } catch {
      return false;
    }
  });
  for (const pid of masters) {
    const match = /(?:^|\s)-D\s+(\S+)/.exec(cmdlineOf(pid));
    if (!match) continue;
    try {
      const lines = readFileSync(join(match[1], 'postmaster.pid'), 'utf8').split('\n');
      if (lines[3]?.trim() === port) return pid;
    } catch {
      // not readable: try the next
    }
  }
  if (masters.length === 1) return masters[0];
  return null;
}

/** Databases other than the bench's that had a PostgreSQL backend when CPU was sampled (their work is in the figure). */
const otherDatabases = new Set();

/** PostgreSQL's CPU ticks: the postmaster, its live children, and the children that exited. */
function postgresTicks(postmaster) {
  const master = readStat(postmaster);
  let ticks = master.ticks + master.childTicks;
  for (const pid of pidsOnMachine()) {
    if (pid === postmaster) continue;
    try {
      const stat = readStat(pid);
      if (stat.ppid !== postmaster) continue;
      ticks += stat.ticks;
      // A backend's title: "postgres: <user> <database> <host>(<port>) <state>".
      const backend = /^postgres: \S+ (\S+) \S+\(\d+\)/.exec(cmdlineOf(pid));
      if (backend && backend[1] !== RUN_ID && backend[1] !== 'postgres') otherDatabases.add(backend[1]);
    } catch {
      // exited between the listing and the read: counted in the postmaster's cutime
    }
  }
  return ticks;
}

/** Consumer groups on the broker, not the bench's, that have members: someone else uses this Kafka. */
const otherGroups = new Set();
async function noteOtherKafkaGroups(admin) {
  try {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => !g.startsWith(PREFIX));
    if (groups.length === 0) return;
    const { groups: described } = await admin.describeGroups(groups);
    for (const g of described) if (g.members.length > 0) otherGroups.add(g.groupId);
  } catch (error) {
    note(`could not list Kafka's consumer groups: ${error.message}`);
  }
}

let watched = {}; // component -> pid (services, kafka, stand-in)
let postmasterPid = null;

function sampleCpu() {
  const ticks = {};
  for (const [name, pid] of Object.entries(watched)) {
    try {
      ticks[name] = readStat(pid).ticks;
    } catch {
      ticks[name] = null;
    }
  }
  if (postmasterPid) {
    try {
      ticks.postgres = postgresTicks(postmasterPid);
    } catch {
      ticks.postgres = null;
    }
  }
  const client = process.cpuUsage();
  return { at: performance.now(), ticks, clientMs: (client.user + client.system) / 1000 };
}

/** CPU ms used between two samples, per component. */
function cpuBetween(before, after) {
  const ms = {};
  for (const name of Object.keys(after.ticks)) {
    const a = before.ticks[name];
    const b = after.ticks[name];
    ms[name] = a === null || b === null || a === undefined ? null : ((b - a) * 1000) / CLK_TCK;
  }
  ms.client = after.clientMs - before.clientMs;
  return { wallMs: after.at - before.at, ms };
}

function rssOfServices() {
  return Object.fromEntries(SERVICES.map((s) => [s, watched[s] ? rssMb(watched[s]) : null]));
}

// ---------------------------------------------------------------- clients

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
const acceptAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const PROMPT = [{ role: 'user', content: 'Count from zero, one number a token.' }];

/** Reads the answer's numbered tokens (`t0 t1 ...`) and says what is lost, doubled or out of order. */
function checkTokens(text, expected) {
  const seen = [];
  let garbage = 0;
  const re = /t(\d+) /y;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const match = re.exec(text);
    if (match) {
      seen.push(Number(match[1]));
      i = re.lastIndex;
    } else {
      garbage++;
      i++;
    }
  }
  const distinct = new Set(seen);
  let lost = 0;
  for (let n = 0; n < expected; n++) if (!distinct.has(n)) lost++;
  let outOfOrder = 0;
  for (let k = 1; k < seen.length; k++) if (seen[k] < seen[k - 1]) outOfOrder++;
  return {
    received: seen.length,
    lost,
    doubled: seen.length - distinct.size,
    outOfOrder,
    extra: [...distinct].filter((n) => n >= expected).length,
    garbage,
  };
}

function newResult(kind) {
  return {
    kind,
    start: performance.now(),
    status: null,
    requestId: null,
    headersAt: null,
    firstTokenAt: null,
    lastTokenAt: null,
    endAt: null,
    final: null,
    error: null,
    text: '',
    tokenEvents: 0,
    gaps: [],
    seqProblems: 0,
    seqSamples: [],
    completionTokens: null,
  };
}

function onToken(result, text, now) {
  if (result.firstTokenAt === null) result.firstTokenAt = now;
  else result.gaps.push(now - result.lastTokenAt);
  result.lastTokenAt = now;
  result.text += text;
  result.tokenEvents++;
}

/** POST /v1/chat and read its SSE stream to the final event. Returns { promise, abort, result }. */
function pipelineOnce(gateway, token) {
  const result = newResult('pipeline');
  let req;
  let settle;
  const promise = new Promise((r) => (settle = r));
  const finish = (fields = {}) => {
    if (result.endAt === null) result.endAt = performance.now();
    Object.assign(result, fields);
    settle(result);
  };
  const body = JSON.stringify({ messages: PROMPT, options: { maxTokens: TOKENS } });
  req = http.request(
    {
      host: '127.0.0.1',
      port: gateway.port,
      path: '/v1/chat',
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        accept: 'text/event-stream',
        authorization: `Bearer ${token}`,
      },
    },
    (res) => {
      result.headersAt = performance.now();
      result.status = res.statusCode;
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => finish({ error: `HTTP ${res.statusCode}: ${text.slice(0, 200)}` }));
        res.on('error', () => finish({ error: `HTTP ${res.statusCode}` }));
        return;
      }
      result.requestId = res.headers['x-chat-request-id'] ?? null;
      let buffered = '';
      let nextSeq = 0;
      res.on('data', (chunk) => {
        const now = performance.now();
        buffered += chunk;
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          let data = '';
          for (const line of block.split('\n')) if (line.startsWith('data: ')) data += line.slice(6);
          if (!data) continue; // a keep-alive comment
          let event;
          try {
            event = JSON.parse(data);
          } catch {
            result.seqProblems++;
            continue;
          }
          // `queued` (seq 0) may come after a fast worker's `started` (seq 1); the stream then
          // drops it, as documented: a stream that starts at 1 is whole.
          const overtaken = nextSeq === 0 && event.seq === 1 && event.type === 'started';
          if (event.seq !== nextSeq && !overtaken) {
            result.seqProblems++;
            if (result.seqSamples.length < 3) result.seqSamples.push(`${event.type} seq ${event.seq} where ${nextSeq} was due`);
          }
          nextSeq = event.seq + 1;
          if (event.type === 'token') onToken(result, event.text, now);
          else if (event.type === 'done' || event.type === 'error' || event.type === 'cancelled') {
            result.endAt = now;
            result.final = event.type;
            if (event.type === 'done') result.completionTokens = event.usage?.completionTokens ?? null;
            if (event.type === 'error') result.error = `${event.code}: ${event.message}`;
          }
        }
      });
      res.on('end', () => finish(result.final ? {} : { error: result.error ?? 'the stream ended before a final event' }));
      res.on('error', (error) => finish({ error: result.error ?? error.message }));
      res.on('aborted', () => finish({ error: result.error ?? 'aborted' }));
    },
  );
  req.on('error', (error) => finish({ error: result.error ?? error.message }));
  req.end(body);
  return {
    promise,
    result,
    token,
    abort: () => {
      if (!result.error && !result.final) result.error = 'aborted by the bench';
      req.destroy();
    },
  };
}

/** POST /api/chat to the stand-in and read its NDJSON stream to the end. */
function directOnce(standIn) {
  const result = newResult('direct');
  let settle;
  const promise = new Promise((r) => (settle = r));
  const finish = (fields = {}) => {
    if (result.endAt === null) result.endAt = performance.now();
    Object.assign(result, fields);
    settle(result);
  };
  const body = JSON.stringify({ model: MODEL, stream: true, messages: PROMPT, options: { num_predict: TOKENS } });
  const req = http.request(
    {
      host: '127.0.0.1',
      port: standIn.port,
      path: '/api/chat',
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    },
    (res) => {
      result.headersAt = performance.now();
      result.status = res.statusCode;
      res.setEncoding('utf8');
      let buffered = '';
      res.on('data', (chunk) => {
        const now = performance.now();
        buffered += chunk;
        let end;
        while ((end = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          if (!line.trim()) continue;
          const part = JSON.parse(line);
          if (part.message?.content) onToken(result, part.message.content, now);
          if (part.done) {
            result.endAt = now;
            result.final = 'done';
            result.completionTokens = part.eval_count ?? null;
          }
        }
      });
      res.on('end', () => finish(result.final ? {} : { error: `HTTP ${res.statusCode}, no final chunk` }));
      res.on('error', (error) => finish({ error: error.message }));
    },
  );
  req.on('error', (error) => finish({ error: result.error ?? error.message }));
  req.end(body);
  return {
    promise,
    result,
    abort: () => {
      if (!result.final) result.error = 'aborted by the bench';
      req.destroy();
    },
  };
}

async function cancelRequest(gateway, handle) {
  const id = handle.result.requestId;
  if (!id) return;
  try {
    await fetch(`${gateway.url}/v1/chat/${id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${handle.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'the bench level ran out of time' }),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    // the drain's abort deals with it
  }
}

// ---------------------------------------------------------------- statistics

const quantile = (values, q) => {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const round = (v, digits = 1) => (v === null || v === undefined || Number.isNaN(v) ? null : Number(v.toFixed(digits)));

/** Watches how many streams the stand-in runs at once (the generations in flight); returns a stop function. */
async function watchGenerations(standIn) {
  const stats = (reset = false) =>
    fetch(`${standIn.url}/stand-in/stats${reset ? '?reset=1' : ''}`).then((r) => r.json(), () => null);
  await stats(true);
  const samples = [];
  let watching = true;
  const loop = (async () => {
    while (watching) {
      const s = await stats();
      if (s) samples.push(s.active);
      await sleep(200);
    }
  })();
  return async () => {
    watching = false;
    await loop;
    const s = await stats();
    return { max: s?.maxActive ?? null, mean: samples.length ? round(samples.reduce((a, b) => a + b, 0) / samples.length, 1) : null };
  };
}

/** Runs `concurrency` clients in a closed loop until `target` answers were asked for or the budget is spent. */
async function runLevel({ kind, concurrency, target, gateway, standIn, tokenFor }) {
  const results = [];
  const inflight = new Set();
  let started = 0;
  const begin = performance.now();
  const deadline = begin + BUDGET_MS;
  const stopWatching = await watchGenerations(standIn);
  const before = kind === 'pipeline' ? sampleCpu() : null;
  const worker = async (slot) => {
    while (started < target && performance.now() < deadline) {
      started++;
      const handle = kind === 'pipeline' ? pipelineOnce(gateway, tokenFor(slot)) : directOnce(standIn);
      inflight.add(handle);
      const result = await handle.promise;
      inflight.delete(handle);
      results.push(result);
      if (result.error && !result.final) await sleep(100); // refused or broken: do not spin
    }
  };
  const all = Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
  let budgetTimer;
  const outcome = await Promise.race([
    all.then(() => 'completed'),
    new Promise((r) => (budgetTimer = setTimeout(() => r('cut'), BUDGET_MS))),
  ]);
  clearTimeout(budgetTimer);
  const end = performance.now();
  const after = kind === 'pipeline' ? sampleCpu() : null;
  const rss = kind === 'pipeline' ? rssOfServices() : null;
  const generations = await stopWatching();
  let waitingAtCut = 0;
  let streamingAtCut = 0;
  if (outcome === 'cut') {
    for (const h of inflight) {
      if (h.result.firstTokenAt === null) waitingAtCut++;
      else streamingAtCut++;
    }
    note(`${kind} at ${concurrency}: the ${BUDGET_MS / 1000} s budget ran out with ${inflight.size} in flight; cancelling them`);
    if (kind === 'pipeline') await Promise.all([...inflight].map((h) => cancelRequest(gateway, h)));
    else for (const h of inflight) h.abort();
    let drainTimer;
    await Promise.race([all, new Promise((r) => (drainTimer = setTimeout(r, DRAIN_MS)))]);
    clearTimeout(drainTimer);
    for (const h of inflight) h.abort();
    await all;
  }
  const level = summarize({ kind, concurrency, target, results, begin, end, outcome, before, after, rss, waitingAtCut, streamingAtCut });
  level.generationsAtOnce = generations;
  level.loadAverage1m = round(os.loadavg()[0], 2);
  return level;
}

function summarize({ kind, concurrency, target, results, begin, end, outcome, before, after, rss, waitingAtCut, streamingAtCut }) {
  const inWindow = (r) => r.endAt !== null && r.endAt <= end;
  const answered = results.filter((r) => r.final === 'done' && inWindow(r));
  const withFirstToken = results.filter((r) => r.firstTokenAt !== null && r.firstTokenAt <= end);
  const ttft = withFirstToken.map((r) => r.firstTokenAt - r.start);
  const gaps = answered.flatMap((r) => r.gaps);
  const total = answered.map((r) => r.endAt - r.start);
  const checks = results.filter((r) => r.final === 'done').map((r) => checkTokens(r.text, TOKENS));
  const sum = (key) => checks.reduce((s, c) => s + c[key], 0);
  const errors = {};
  for (const r of results) {
    if (r.final === 'done') continue;
    const key = r.final === 'cancelled' ? 'cancelled' : (r.error ?? 'no final event').replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 80);
    errors[key] = (errors[key] ?? 0) + 1;
  }
  const seconds = (end - begin) / 1000;
  const level = {
    kind,
    concurrency,
    target,
    asked: results.length,
    answered: answered.length,
    cutByBudget: outcome === 'cut',
    seconds: round(seconds, 2),
    answersPerSecond: round(answered.length / seconds, 2),
    ttftMs: { p50: round(quantile(ttft, 0.5)), p99: round(quantile(ttft, 0.99)), max: round(quantile(ttft, 1)), count: ttft.length },
    interTokenGapMs: { p50: round(quantile(gaps, 0.5), 2), p99: round(quantile(gaps, 0.99), 2), max: round(quantile(gaps, 1), 2) },
    totalMs: { p50: round(quantile(total, 0.5)), p99: round(quantile(total, 0.99)) },
    tokens: {
      answersChecked: checks.length,
      lost: sum('lost'),
      doubled: sum('doubled'),
      outOfOrder: sum('outOfOrder'),
      extra: sum('extra'),
      garbageChars: sum('garbage'),
      eventSeqProblems: results.reduce((s, r) => s + r.seqProblems, 0),
      eventSeqSamples: results.flatMap((r) => r.seqSamples).slice(0, 5),
      usageMismatches: results.filter((r) => r.final === 'done' && r.completionTokens !== TOKENS).length,
    },
    notAnswered: errors,
    ...(outcome === 'cut' ? { atCut: { waitingForFirstToken: waitingAtCut, streaming: streamingAtCut } } : {}),
  };
  if (before && after) {
    const cpu = cpuBetween(before, after);
    const per = (ms) => (ms === null || answered.length === 0 ? null : round(ms / answered.length, 2));
    const components = [...SERVICES, 'kafka', 'postgres'];
    const perAnswer = Object.fromEntries(components.map((c) => [c, per(cpu.ms[c] ?? null)]));
    const known = components.map((c) => perAnswer[c]).filter((v) => v !== null);
    level.cpuMsPerAnswer = {
      ...perAnswer,
      total: known.length === components.length ? round(known.reduce((a, b) => a + b, 0), 2) : null,
      standIn: per(cpu.ms['stand-in'] ?? null),
      benchClient: per(cpu.ms.client),
    };
    level.cpuMsTotal = Object.fromEntries(Object.entries(cpu.ms).map(([k, v]) => [k, round(v, 0)]));
    level.rssMb = Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, round(v, 0)]));
  }
  return level;
}

// ---------------------------------------------------------------- phases

async function acceptPhase(gateway, tokenFor) {
  const latencies = [];
  const statuses = {};
  let accepted = 0;
  const before = sampleCpu();
  const begin = performance.now();
  const deadline = begin + ACCEPT_MS;
  const body = JSON.stringify({ messages: PROMPT, options: { maxTokens: 1 } });
  const once = (token) =>
    new Promise((resolveOnce) => {
      const start = performance.now();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: gateway.port,
          path: '/v1/chat',
          method: 'POST',
          agent: acceptAgent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            accept: 'text/event-stream',
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          const ms = performance.now() - start;
          res.destroy(); // an enqueue-only client: the answer is not read
          resolveOnce({ status: res.statusCode, ms });
        },
      );
      req.on('error', (error) => resolveOnce({ status: error.code ?? 'error', ms: performance.now() - start }));
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: ACCEPT_CLIENTS }, async (_, slot) => {
      while (performance.now() < deadline) {
        const { status, ms } = await once(tokenFor(slot));
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) {
          accepted++;
          latencies.push(ms);
        } else {
          await sleep(50);
        }
      }
    }),
  );
  const end = performance.now();
  const cpu = cpuBetween(before, sampleCpu());
  const seconds = (end - begin) / 1000;
  return {
    clients: ACCEPT_CLIENTS,
    seconds: round(seconds, 2),
    accepted,
    acceptedPerSecond: round(accepted / seconds, 1),
    latencyMs: { p50: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)), max: round(quantile(latencies, 1)) },
    statuses,
    cpuMsPerAccept: Object.fromEntries(
      Object.entries(cpu.ms).map(([k, v]) => [k, v === null || accepted === 0 ? null : round(v / accepted, 2)]),
    ),
  };
}

async function idlePhase() {
  const before = sampleCpu();
  await sleep(IDLE_MS);
  const cpu = cpuBetween(before, sampleCpu());
  const percent = (ms) => (ms === null ? null : round((ms / cpu.wallMs) * 100, 2));
  const components = [...SERVICES, 'kafka', 'postgres'];
  const perComponent = Object.fromEntries(components.map((c) => [c, percent(cpu.ms[c] ?? null)]));
  const services = SERVICES.map((s) => perComponent[s]).filter((v) => v !== null);
  return { seconds: round(cpu.wallMs / 1000, 2), cpuPercentOfCore: { ...perComponent, services: round(services.reduce((a, b) => a + b, 0), 2) } };
}

/** Messages on the requests topic the workers have not finished, or null if it cannot be read. */
async function requestsLag(admin) {
  try {
    const topic = `${PREFIX}shoshizan.chat.requests.v1`;
    const ends = await admin.fetchTopicOffsets(topic);
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(PREFIX));
    let best = null;
    for (const groupId of groups) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      if (!committed || committed.partitions.every((p) => Number(p.offset) < 0)) continue;
      let lag = 0;
      for (const p of ends) {
        const c = Number(committed.partitions.find((x) => x.partition === p.partition)?.offset ?? -1);
        lag += Number(p.high) - Math.max(0, c);
      }
      best = best === null ? lag : Math.min(best, lag);
    }
    return best;
  } catch {
    return null;
  }
}

/** Waits until the stand-in streams nothing and the workers have caught up (bounded). */
async function waitQuiet(standIn, admin, capMs = 60_000) {
  const deadline = Date.now() + capMs;
  while (Date.now() < deadline) {
    const stats = await fetch(`${standIn.url}/stand-in/stats`).then((r) => r.json(), () => ({ active: 0 }));
    const lag = await requestsLag(admin);
    if (stats.active === 0 && (lag === null || lag === 0)) {
      await sleep(1000);
      return true;
    }
    await sleep(500);
  }
  note(`the pipeline was still busy after ${capMs / 1000} s; going on`);
  return false;
}

// ---------------------------------------------------------------- printing

const col = (v, width, digits = 0) => {
  const s = v === null || v === undefined ? '-' : typeof v === 'number' ? v.toFixed(digits) : String(v);
  return s.padStart(width);
};

function printLevel(direct, pipeline) {
  const n = pipeline.concurrency;
  const cut = pipeline.cutByBudget
    ? `, cut by the ${BUDGET_MS / 1000} s budget (${pipeline.atCut.waitingForFirstToken} still waiting for a first token, ${pipeline.atCut.streaming} streaming)`
    : '';
  say(
    `${n} concurrent stream${n === 1 ? '' : 's'}: ${pipeline.answered} of ${pipeline.target} answers in ${pipeline.seconds} s${cut}; load ${pipeline.loadAverage1m}`,
  );
  say(`                       ttft p50  ttft p99  gap p99  total p50  answers/s   (ms, ms, ms, ms, 1/s)`);
  for (const [name, l] of [
    ['stand-in directly', direct],
    ['through Shoshizan', pipeline],
  ]) {
    say(
      `  ${name.padEnd(20)}${col(l.ttftMs.p50, 9)}${col(l.ttftMs.p99, 10)}${col(l.interTokenGapMs.p99, 9, 1)}${col(l.totalMs.p50, 11)}${col(l.answersPerSecond, 11, 1)}`,
    );
  }
  say(`  ${'added by the pipeline'.padEnd(20)}${col(pipeline.addedTtftMs.p50, 8)}${col(pipeline.addedTtftMs.p99, 10)}`);
  const t = pipeline.tokens;
  const missed = Object.entries(pipeline.notAnswered)
    .map(([k, v]) => `${v} ${k}`)
    .join('; ');
  say(
    `  tokens lost ${t.lost}, doubled ${t.doubled}, out of order ${t.outOfOrder} in ${t.answersChecked} answers` +
      `${t.extra || t.garbageChars || t.eventSeqProblems || t.usageMismatches ? ` (extra ${t.extra}, garbage ${t.garbageChars}, seq problems ${t.eventSeqProblems}, usage mismatches ${t.usageMismatches})` : ''}` +
      `${missed ? `; not answered: ${missed}` : ''}`,
  );
  const g = pipeline.generationsAtOnce;
  say(`  generations at once in the stand-in through Shoshizan: max ${g.max ?? '-'}, mean ${g.mean ?? '-'} (directly: max ${direct.generationsAtOnce.max ?? '-'})`);
  if (t.eventSeqSamples.length > 0) say(`  event seq problems, e.g.: ${t.eventSeqSamples.join('; ')}`);
  const c = pipeline.cpuMsPerAnswer;
  if (c) {
    say(
      `  CPU ms/answer  gateway ${col(c.gateway, 0, 1)}  producer ${col(c['kafka-producer'], 0, 1)}  consumer ${col(c['kafka-consumer'], 0, 1)}` +
        `  gpt-api ${col(c['gpt-api'], 0, 1)}  kafka ${col(c.kafka, 0, 1)}  postgres ${col(c.postgres, 0, 1)}  = ${col(c.total, 0, 1)}` +
        `   (stand-in ${col(c.standIn, 0, 1)}, bench client ${col(c.benchClient, 0, 1)})`,
    );
    const r = pipeline.rssMb;
    say(`  RSS MB after  gateway ${r.gateway}  producer ${r['kafka-producer']}  consumer ${r['kafka-consumer']}  gpt-api ${r['gpt-api']}`);
  }
  say();
}

function summaryTable(levels) {
  const lines = [
    'streams  answers  answers/s  ttft p50  ttft p99  added p50  added p99  gap p99  CPU ms/answer  lost/doubled/ooo  at once',
  ];
  for (const { pipeline: p } of levels) {
    const t = p.tokens;
    lines.push(
      `${col(p.concurrency, 7)}${col(`${p.answered}${p.cutByBudget ? '*' : ''}`, 9)}${col(p.answersPerSecond, 11, 1)}${col(p.ttftMs.p50, 10)}${col(p.ttftMs.p99, 10)}` +
        `${col(p.addedTtftMs.p50, 11)}${col(p.addedTtftMs.p99, 11)}${col(p.interTokenGapMs.p99, 9, 1)}${col(p.cpuMsPerAnswer?.total, 15, 1)}` +
        `${`${t.lost}/${t.doubled}/${t.outOfOrder}`.padStart(18)}${col(p.generationsAtOnce?.max, 9)}`,
    );
  }
  return lines;
}

function goals(result) {
  const at = (n) => result.levels.find((l) => l.pipeline.concurrency === n)?.pipeline;
  const l1 = at(1);
  const l64 = at(64);
  const l256 = at(256);
  const a = result.accepts;
  const alone = result.acceptsAlone;
  const row = (what, goal, measured, ok) => ({ what, goal, measured, met: measured === null || measured === undefined ? null : ok });
  return [
    row('added TTFT p50 at 1 stream', '<= 15 ms', l1?.addedTtftMs.p50, l1?.addedTtftMs.p50 <= 15),
    row('added TTFT p50 at 64 streams', '<= 50 ms', l64?.addedTtftMs.p50, l64?.addedTtftMs.p50 <= 50),
    row('added TTFT p99 at 64 streams', '<= 250 ms', l64?.addedTtftMs.p99, l64?.addedTtftMs.p99 <= 250),
    row('answers/s at 64 streams', '>= 32', l64?.answersPerSecond, l64?.answersPerSecond >= 32),
    row(
      'CPU ms per 64-token answer, services + Kafka + PostgreSQL (64 streams)',
      '<= 100 ms',
      l64?.cpuMsPerAnswer?.total,
      l64?.cpuMsPerAnswer?.total <= 100,
    ),
    row('durable accepts/s (accept path alone)', '>= 1000', alone?.acceptedPerSecond, alone?.acceptedPerSecond >= 1000),
    row('durable accept p99 (accept path alone)', '<= 100 ms', alone?.latencyMs.p99, alone?.latencyMs.p99 <= 100),
    row('durable accepts/s (while answering them)', '>= 1000', a?.acceptedPerSecond, a?.acceptedPerSecond >= 1000),
    row('durable accept p99 (while answering them)', '<= 100 ms', a?.latencyMs.p99, a?.latencyMs.p99 <= 100),
    row(
      'tokens lost + doubled + out of order at 256 streams',
      '0',
      l256 ? l256.tokens.lost + l256.tokens.doubled + l256.tokens.outOfOrder : null,
      l256 ? l256.tokens.lost + l256.tokens.doubled + l256.tokens.outOfOrder === 0 && l256.answered > 0 : null,
    ),
  ];
}

// ---------------------------------------------------------------- main

function machine() {
  let commit = null;
  let dirty = null;
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
    kernel: os.release(),
    node: process.version,
    gitCommit: commit,
    gitDirty: dirty,
  };
}

const cleanups = [];
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        note(`cleanup: ${error.message}`);
      }
    }
  })();
  return cleaning;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    note(`${signal}: stopping what the bench started`);
    void cleanup().then(() => process.exit(code));
  });
}

async function main() {
  for (const s of SERVICES) {
    if (!existsSync(join(ROOT, 'services', s, 'dist', 'main.js'))) throw new Error(`services/${s} is not built; run npm run build`);
  }
  stopLeftovers();
  const facts = machine();

  // Infrastructure: the local PostgreSQL and Kafka, which this bench only uses.
  const adminDb = new URL(DATABASE_URL);
  adminDb.pathname = '/postgres';
  const pgAdmin = new pg.Client({ connectionString: adminDb.toString() });
  await pgAdmin.connect().catch((error) => {
    throw new Error(`PostgreSQL at ${DATABASE_URL} is not reachable (bash scripts/infra/postgres.sh start): ${error.message}`);
  });
  await pgAdmin.query(`CREATE DATABASE ${RUN_ID}`);
  await pgAdmin.end();
  const dbUrl = new URL(DATABASE_URL);
  dbUrl.pathname = `/${RUN_ID}`;
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: adminDb.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${RUN_ID} WITH (FORCE)`);
    await client.end();
  });
  const kafka = new Kafka({ clientId: `${RUN_ID}-bench`, brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect().catch((error) => {
    throw new Error(`Kafka at ${KAFKA_BROKERS} is not reachable (bash scripts/infra/kafka.sh start): ${error.message}`);
  });
  cleanups.push(async () => {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(PREFIX));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(PREFIX));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    await admin.disconnect();
  });
  await noteOtherKafkaGroups(admin);
  const kafkaPid = findKafka();
  postmasterPid = findPostmaster();
  if (!kafkaPid) note('no Kafka process found on this machine: its CPU is not counted');
  if (!postmasterPid) note('no PostgreSQL postmaster found for DATABASE_URL: its CPU is not counted');

  // The stand-in and a Shoshizan of the bench's own.
  cleanups.push(async () => {
    await Promise.all([...children.keys()].filter((n) => n !== 'stand-in').map((n) => stopChild(n)));
    await stopChild('stand-in');
  });
  const standIn = await startStandIn();
  const secret = randomBytes(32).toString('base64url');
  const kafkaEnv = { KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: PREFIX };
  // Sized for the largest level: the stand-in has no slot limit. What scripts/env.sh does
  // with local mode's CAPACITY: the worker's in-flight limit and gpt-api's are the capacity.
  const capacity = {
    WORKER_MAX_IN_FLIGHT: String(CAPACITY),
    OLLAMA_MAX_CONCURRENCY: String(CAPACITY),
  };
  const started = {};
  note(`starting the pipeline (run ${RUN_ID}; logs in ${LOG_DIR}/${RUN_ID}-*.log)`);
  started['gpt-api'] = await startService('gpt-api', {
    ...capacity,
    DATABASE_URL: dbUrl.toString(),
    OLLAMA_HOST: standIn.url,
    DEFAULT_MODEL: MODEL,
    // No per-user limits: a fresh database has no gpt_api.limits rows, and these are the defaults.
    DEFAULT_TOKENS_PER_DAY: '0',
    DEFAULT_REQUESTS_PER_MINUTE: '0',
  });
  started['kafka-producer'] = await startService('kafka-producer', { ...capacity, ...kafkaEnv });
  started['kafka-consumer'] = await startService('kafka-consumer', {
    ...capacity,
    ...kafkaEnv,
    DATABASE_URL: dbUrl.toString(),
    GPT_API_URL: started['gpt-api'].url,
  });
  started.gateway = await startService('gateway', {
    ...capacity,
    ...kafkaEnv,
    DATABASE_URL: dbUrl.toString(),
    JWT_SECRET: secret,
    PRODUCER_URL: started['kafka-producer'].url,
    CONSUMER_URL: started['kafka-consumer'].url,
    GPT_API_URL: started['gpt-api'].url,
  });
  const gateway = started.gateway;
  watched = Object.fromEntries(SERVICES.map((s) => [s, started[s].pid]));
  watched['stand-in'] = children.get('stand-in').pid;
  if (kafkaPid) watched.kafka = kafkaPid;
  const rssAtStart = rssOfServices();

  // Many users, a few streams each: user k holds streams k*STREAMS_PER_USER ... +STREAMS_PER_USER-1.
  const tokens = new Map();
  const tokenFor = (slot) => {
    const user = Math.floor(slot / STREAMS_PER_USER);
    if (!tokens.has(user)) {
      tokens.set(
        user,
        jwt.sign({ roles: ['user'] }, secret, {
          algorithm: 'HS256',
          subject: `bench-user-${user}`,
          issuer: 'shoshizan',
          audience: 'shoshizan',
          expiresIn: '2h',
        }),
      );
    }
    return tokens.get(user);
  };

  // Warm up both paths (JIT, connections, the consumer group's first assignment).
  note('warming up');
  const warm = await Promise.all(Array.from({ length: 8 }, (_, i) => pipelineOnce(gateway, tokenFor(i)).promise));
  const warmFailed = warm.filter((r) => r.final !== 'done');
  if (warmFailed.length > 0) throw new Error(`the warm-up failed: ${warmFailed[0].error ?? warmFailed[0].final}`);
  await Promise.all(Array.from({ length: 4 }, () => directOnce(standIn).promise));
  await waitQuiet(standIn, admin);
  const idle = await idlePhase();

  const result = {
    benchmark: 'crowd',
    machine: facts,
    settings: {
      levels: LEVELS,
      answersPerLevel: FIXED_ANSWERS || `max(${MIN_ANSWERS}, ${ROUNDS} x streams)`,
      budgetSecondsPerLevel: BUDGET_MS / 1000,
      drainSeconds: DRAIN_MS / 1000,
      tokensPerAnswer: TOKENS,
      standIn: { firstTokenMs: FIRST_TOKEN_MS, tokenMs: TOKEN_MS, model: MODEL },
      streamsPerUser: STREAMS_PER_USER,
      capacity: CAPACITY,
      serviceCapacityEnv: capacity,
      acceptClients: ACCEPT_CLIENTS,
      acceptSeconds: ACCEPT_MS / 1000,
      logLevel: LOG_LEVEL,
      clockTicksPerSecond: CLK_TCK,
      cpuSources: { kafkaPid, postmasterPid },
    },
    idle: { ...idle, rssMbAtStart: Object.fromEntries(Object.entries(rssAtStart).map(([k, v]) => [k, round(v, 0)])) },
    levels: [],
    accepts: null,
    goals: null,
    benchSeconds: null,
  };

  say(
    `Crowd benchmark: ${TOKENS}-token answers from a stand-in model (${FIRST_TOKEN_MS} ms to the first token, then one every ${TOKEN_MS} ms, no slot limit),`,
  );
  say(
    `  ${facts.cores} cores, Node ${facts.node}, commit ${facts.gitCommit?.slice(0, 12) ?? '?'}${facts.gitDirty ? ' (with local changes)' : ''}, ${facts.date}, load ${facts.loadAverageAtStart.join(' ')}`,
  );
  say(`  services sized for ${CAPACITY} in flight; ${STREAMS_PER_USER} streams per user; TTFT counted from the request being sent`);
  if (facts.loadAverageAtStart[0] > facts.cores) {
    say(`  the machine was busy when the bench started (load ${facts.loadAverageAtStart[0]} on ${facts.cores} cores): expect slower figures`);
  }
  say();
  const ic = idle.cpuPercentOfCore;
  say(
    `idle (${idle.seconds} s): CPU % of a core  gateway ${ic.gateway}  producer ${ic['kafka-producer']}  consumer ${ic['kafka-consumer']}  gpt-api ${ic['gpt-api']}` +
      `  = ${ic.services} for the four services   (kafka ${ic.kafka}, postgres ${ic.postgres})`,
  );
  const r0 = result.idle.rssMbAtStart;
  say(`  RSS MB at start  gateway ${r0.gateway}  producer ${r0['kafka-producer']}  consumer ${r0['kafka-consumer']}  gpt-api ${r0['gpt-api']}`);
  say();

  for (const concurrency of LEVELS) {
    const target = FIXED_ANSWERS || Math.max(MIN_ANSWERS, ROUNDS * concurrency);
    note(`level ${concurrency}: ${target} answers, directly then through the pipeline`);
    const direct = await runLevel({ kind: 'direct', concurrency, target, gateway, standIn, tokenFor });
    await waitQuiet(standIn, admin, 10_000);
    const pipeline = await runLevel({ kind: 'pipeline', concurrency, target, gateway, standIn, tokenFor });
    const minus = (a, b) => (a === null || b === null ? null : round(a - b));
    pipeline.addedTtftMs = { p50: minus(pipeline.ttftMs.p50, direct.ttftMs.p50), p99: minus(pipeline.ttftMs.p99, direct.ttftMs.p99) };
    result.levels.push({ concurrency, direct, pipeline });
    await noteOtherKafkaGroups(admin);
    printLevel(direct, pipeline);
    await waitQuiet(standIn, admin);
  }

  if (ACCEPT_CLIENTS > 0 && ACCEPT_MS > 0) {
    // Twice: the accept path alone (the worker stopped with SIGSTOP, so nothing answers and
    // the machine does only accepting), then while the worker answers every accepted request.
    const worker = children.get('kafka-consumer');
    const phases = [
      { key: 'acceptsAlone', what: 'accept path alone, the worker paused' },
      { key: 'accepts', what: 'while the worker answers them' },
    ];
    for (const phase of phases) {
      note(`durable accepts (${phase.what}): ${ACCEPT_CLIENTS} clients for ${ACCEPT_MS / 1000} s`);
      const paused = phase.key === 'acceptsAlone' && worker?.pid;
      if (paused) process.kill(worker.pid, 'SIGSTOP');
      let accepts;
      try {
        accepts = await acceptPhase(gateway, tokenFor);
        accepts.requestsWaitingAfter = await requestsLag(admin);
      } finally {
        if (paused) process.kill(worker.pid, 'SIGCONT');
      }
      result[phase.key] = accepts;
      const statuses = Object.entries(accepts.statuses)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
      say(
        `durable accepts, ${phase.what} (POST /v1/chat until its headers, maxTokens 1, ${accepts.clients} clients, ${accepts.seconds} s): ` +
          `${accepts.acceptedPerSecond}/s, p50 ${accepts.latencyMs.p50} ms, p99 ${accepts.latencyMs.p99} ms (${statuses}); ` +
          `${accepts.requestsWaitingAfter ?? '?'} requests queued for the workers after it`,
      );
      const c = accepts.cpuMsPerAccept;
      say(
        `  CPU ms/accept  gateway ${c.gateway}  producer ${c['kafka-producer']}  consumer ${c['kafka-consumer']}  gpt-api ${c['gpt-api']}  kafka ${c.kafka}  postgres ${c.postgres}`,
      );
      say();
      // The paused worker's backlog is answered before the next phase measures anything.
      if (paused) await waitQuiet(standIn, admin, 120_000);
    }
  }

  await noteOtherKafkaGroups(admin);
  const kafkaOthers = [...otherGroups];
  result.sharedInfrastructure = { otherDatabases: [...otherDatabases], otherKafkaConsumerGroups: kafkaOthers };
  if (otherDatabases.size > 0 || kafkaOthers.length > 0) {
    say(
      `Shared infrastructure: PostgreSQL also served ${otherDatabases.size ? [...otherDatabases].join(', ') : 'no other database'}, Kafka had ` +
        `${kafkaOthers.length} other active consumer group${kafkaOthers.length === 1 ? '' : 's'} (seen between levels); their work is in the kafka and postgres CPU figures.`,
    );
    say();
  }
  say('Summary, through Shoshizan (ms; added = TTFT less the stand-in\'s own at the same concurrency; CPU = services + Kafka +');
  say('PostgreSQL; at once = most generations the stand-in ran at once; * = cut by the time budget)');
  for (const line of summaryTable(result.levels)) say(line);
  say();
  result.goals = goals(result);
  say('Goals (the most latency the pipeline may add, the least it must carry)');
  for (const g of result.goals) {
    const verdict = g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met';
    say(`  ${g.what.padEnd(72)} ${g.goal.padEnd(10)} ${col(g.measured, 9, 1)}  ${verdict}`);
  }
  result.benchSeconds = round((Date.now() - BENCH_STARTED) / 1000, 0);
  result.machine.loadAverageAtEnd = os.loadavg().map((v) => round(v, 2));
  say();
  say(`bench took ${result.benchSeconds} s (before stopping), load ${result.machine.loadAverageAtEnd.join(' ')} at the end; figures in ${OUT}`);
  result.report = report;
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(OUT.replace(/\.json$/, '.txt'), `${report.join('\n')}\n`);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  console.error(`[crowd] failed: ${error.stack ?? error.message}`);
  exitCode = 1;
} finally {
  note('stopping the stand-in and the pipeline, removing its database and topics');
  await cleanup();
  agent.destroy();
  acceptAgent.destroy();
}
process.exit(exitCode);
