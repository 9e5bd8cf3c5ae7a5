// npm run bench: what the durable pipeline costs on top of Ollama, measured side by side in
// one run against the real local system (npm start brings it up): the same prompts, sent
// straight to Ollama and through Shoshizan (gateway -> Kafka -> worker -> gpt-api -> Ollama
// -> Kafka -> gateway, SSE). Prints time to first token, total time and tokens a second.
import { execFileSync } from 'node:child_process';
import SERVICE_PORTS from '../shared-interfaces/src/ports.json' with { type: 'json' };

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const MAX_TOKENS = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const OLLAMA = process.env.OLLAMA_HOST ?? `http://127.0.0.1:${process.env.OLLAMA_PORT ?? 21434}`;
const GATEWAY = process.env.GATEWAY_URL ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? SERVICE_PORTS.gateway.port}`;
const MODEL = process.env.DEFAULT_MODEL ?? 'gemma3:270m';
const TOKEN = execFileSync(process.execPath, [new URL('../scripts/dev-token.mjs', import.meta.url).pathname], {
  encoding: 'utf8',
}).trim();
const PROMPTS = ['Why is the sky blue?', 'Name three rivers.', 'What is a lighthouse?', 'Describe the sea.'];
const options = { temperature: 0, seed: 7, stop: [] };

/** Reads a fetch body line by line. */
async function* lines(body) {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
    }
  }
}

async function direct(prompt) {
  const start = performance.now();
  const response = await fetch(`${OLLAMA}/api/chat`, {
    method: 'POST',
    body: JSON.stringify({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: prompt }],
      options: { ...options, num_predict: MAX_TOKENS },
    }),
  });
  let first;
  let tokens = 0;
  for await (const line of lines(response.body)) {
    if (!line.trim()) continue;
    const part = JSON.parse(line);
    if (part.message?.content) {
      first ??= performance.now();
      tokens++;
    }
    if (part.done) break;
  }
  return { ttft: first - start, total: performance.now() - start, tokens };
}

async function pipeline(prompt) {
  const start = performance.now();
  const response = await fetch(`${GATEWAY}/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ messages: [{ role: 'user', content: prompt }], options: { ...options, maxTokens: MAX_TOKENS } }),
  });
  if (!response.ok) throw new Error(`gateway answered ${response.status}: ${await response.text()}`);
  let first;
  let tokens = 0;
  let event = '';
  for await (const line of lines(response.body)) {
    if (line.startsWith('event: ')) event = line.slice(7);
    if (!line.startsWith('data: ')) continue;
    if (event === 'token') {
      first ??= performance.now();
      tokens++;
    }
    if (event === 'done' || event === 'error' || event === 'cancelled') break;
  }
  return { ttft: first - start, total: performance.now() - start, tokens };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

const results = { direct: [], pipeline: [] };
await direct('Warm up.'); // loads the model
await pipeline('Warm up.');
for (let round = 0; round < ROUNDS; round++) {
  const prompt = PROMPTS[round % PROMPTS.length];
  // Alternate the order, so neither path always runs on a warmer cache.
  const order = round % 2 === 0 ? ['direct', 'pipeline'] : ['pipeline', 'direct'];
  for (const path of order) results[path].push(await (path === 'direct' ? direct(prompt) : pipeline(prompt)));
}

const row = (name, runs) => {
  const ttft = runs.map((r) => r.ttft);
  const total = runs.map((r) => r.total);
  const rate = runs.map((r) => (r.tokens > 1 ? ((r.tokens - 1) / (r.total - r.ttft)) * 1000 : 0));
  const f = (v) => v.toFixed(0).padStart(11);
  return `${name.padEnd(22)}${f(quantile(ttft, 0.5))}${f(quantile(ttft, 0.9))}${f(quantile(total, 0.5))}${f(quantile(rate, 0.5))}`;
};
console.log(`model ${MODEL}, ${ROUNDS} rounds, up to ${MAX_TOKENS} tokens, temperature 0 (same answers both ways)`);
console.log(`${''.padEnd(22)}${['ttft p50', 'ttft p90', 'total p50', 'tok/s p50'].map((h) => h.padStart(11)).join('')}  (ms, ms, ms, tokens/s)`);
console.log(row('Ollama directly', results.direct));
console.log(row('through Shoshizan', results.pipeline));
const added = quantile(results.pipeline.map((r) => r.ttft), 0.5) - quantile(results.direct.map((r) => r.ttft), 0.5);
console.log(`the durable pipeline adds ${added.toFixed(0)} ms to the median time to first token`);
