import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { Browser, Locator, Page } from 'playwright-core';
import { HEADERS, responseEventSchema, topicName, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { BrowserSession, currentTestSlug, eventually, launchBrowser, startUiServer, type RunningUi } from './support/browser';
import { Stack, collect, textOf } from './support/stack';
import { ROOT, freePort, infra, stopService } from './support/system';

/**
 * The chat UI in a real browser (Debian's Chromium, headless) against a whole running
 * system: the built app served by ui/server/serve.mjs, the four services, Kafka, PostgreSQL
 * and Ollama with a real model. Every test saves a screenshot to test-artifacts/ui/.
 * Needs `npm run build` and `npm run -w ui build`.
 */
jest.setTimeout(300_000);

// The functions handed to page.evaluate and waitForFunction run in the browser; the compiler
// (no DOM library here, the services must not see one) needs the globals they use named.
interface PageNode {
  textContent: string | null;
  querySelector(selector: string): PageNode | null;
}
interface PageElement {
  getAttribute(name: string): string | null;
}
declare const document: {
  body: unknown;
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: PageElement;
  querySelectorAll(selector: string): ArrayLike<PageNode>;
};
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare const localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
declare const window: Record<string, unknown>;
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: unknown, options: Record<string, boolean>): void;
}

const ADMIN = { username: 'ui-admin', password: 'a long enough password for the ui' };
/** A model local mode installs besides the default (scripts/infra/ollama.sh): Gemma 3, temperature 0. */
const PRECISE = 'gemma3:270m-precise';
/** Long enough to stop or reload mid-way: the precise model counts on for its 512 tokens. */
const LONG_PROMPT = 'Count from 1 to 200, separated by commas.';

const stack = new Stack({ gateway: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
let ui: RunningUi;
let browser: Browser;
let models: string[] = [];

beforeAll(async () => {
  // The UI's origin must be known before the gateway starts, for its CORS allow-list.
  const uiPort = await freePort();
  stack.setEnv('gateway', { CORS_ORIGINS: `http://127.0.0.1:${uiPort}` });
  await stack.start();
  ui = await startUiServer({ GATEWAY_URL: stack.gateway, PORT: String(uiPort) }, `${stack.runId}-ui`);
  browser = await launchBrowser();
  const list = (await (await api('GET', '/v1/models')).json()) as { data: { id: string }[] };
  models = list.data.map((m) => m.id);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (ui) expect(await ui.stop()).toBe(0);
  // The XSS test leaves kafka-consumer stopped (stopService then reports its exit code).
  const codes = await stack.stop();
  expect(Object.values(codes).every((code) => code === 0)).toBe(true);
}, 120_000);

// ------------------------------------------------------------------------------- helpers

/**
 * A test with a fresh browser context and page. Its screenshot (test-artifacts/ui/<test
 * name>.png) is the one the test takes at its telling moment, or else of where it ended; a
 * failed test's is always of where it failed.
 */
function uiTest(
  name: string,
  body: (session: BrowserSession) => Promise<void>,
  timeoutMs?: number,
  context: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): void {
  it(
    name,
    async () => {
      const session = await BrowserSession.open(browser, { baseURL: ui.url, ...context });
      const shot = currentTestSlug();
      let passed = false;
      try {
        await body(session);
        // Whatever a test does, the app throws nothing uncaught and breaks no CSP rule.
        expect(session.watch.pageErrors).toEqual([]);
        expect(session.watch.cspViolations).toEqual([]);
        passed = true;
      } finally {
        if (!passed || !session.screenshots.has(shot)) await session.screenshot(shot).catch(() => undefined);
        await session.close();
      }
    },
    timeoutMs,
  );
}

async function token(): Promise<string> {
  const response = await fetch(`${stack.gateway}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** A gateway call as the user the browser signs in as. */
async function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${await token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface StoredMessage {
  id: string;
  role: string;
  content: string;
  model: string | null;
  requestId: string | null;
  status: string;
}
interface StoredConversation {
  id: string;
  title: string;
  model: string | null;
  messages: StoredMessage[];
}

async function conversation(id: string): Promise<StoredConversation> {
  const response = await api('GET', `/v1/conversations/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as StoredConversation;
}

/** The conversation's last assistant message once `done` holds for it. */
async function lastAnswer(id: string, done: (m: StoredMessage) => boolean): Promise<StoredMessage> {
  const read = async (): Promise<StoredMessage | undefined> =>
    (await conversation(id)).messages.filter((m) => m.role === 'assistant').at(-1);
  return (await eventually(read, (m) => m !== undefined && done(m), { timeoutMs: 120_000, what: 'the stored answer' }))!;
}

/**
 * Visible text whose colour against its background is below WCAG AA (4.5:1; 3:1 for large
 * text), as "text (ratio)". The background is the first opaque one up the tree.
 */
async function contrastProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type El = {
      parentElement: El | null;
      textContent: string | null;
      childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
      offsetParent: unknown;
      getBoundingClientRect(): { width: number; height: number };
    };
    const win = window as unknown as { getComputedStyle(el: El): { color: string; backgroundColor: string; fontSize: string; fontWeight: string; opacity: string; visibility: string } };
    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      const parts = (m?.[1] ?? '0,0,0,0').split(/[ ,/]+/).filter(Boolean).map(Number);
      return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r ?? 0) + 0.7152 * f(g ?? 0) + 0.0722 * f(b ?? 0);
    };
    const background = (el: El | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(win.getComputedStyle(e).backgroundColor);
        if (bg[3] > 0.5) return bg;
      }
      return [255, 255, 255, 1];
    };
    const problems: string[] = [];
    const all = document.querySelectorAll('body *') as unknown as ArrayLike<El>;
    for (const el of Array.from(all)) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && (n.textContent ?? '').trim() !== '');
      if (!own || el.offsetParent === null) continue;
      const style = win.getComputedStyle(el);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const fg = parse(style.color);
      const bg = background(el);
      // A translucent text colour is blended over its background first.
      const blended = [0, 1, 2].map((i) => (fg[i] ?? 0) * fg[3] + (bg[i] ?? 0) * (1 - fg[3]));
      const [hi, lo] = [lum(blended), lum(bg)].sort((a, b) => b - a) as [number, number];
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`${(el.textContent ?? '').trim().slice(0, 40)} (${ratio.toFixed(2)})`);
    }
    return problems;
  });
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'New chat', exact: true }).waitFor();
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** The id of the conversation the page shows, once its URL is /c/<id>. */
async function conversationIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

const messages = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });
const lastAssistant = (page: Page): Locator => messages(page).locator('article[data-role="assistant"]').last();
const contentOf = async (article: Locator): Promise<string> => (await article.locator('.message-content').textContent()) ?? '';

/** Waits until the last answer on the page shows at least `chars` characters; returns its text. */
async function waitForAnswerText(page: Page, chars: number): Promise<string> {
  await page.waitForFunction(
    (min) => {
      const articles = document.querySelectorAll('[role="log"] article[data-role="assistant"]');
      const text = articles[articles.length - 1]?.querySelector('.message-content')?.textContent ?? '';
      return text.trim().length >= min;
    },
    chars,
    { timeout: 120_000 },
  );
  return contentOf(lastAssistant(page));
}

async function waitForStatus(page: Page, status: string, timeout = 120_000): Promise<void> {
  await messages(page).locator(`article[data-role="assistant"][data-status="${status}"]`).last().waitFor({ timeout });
}

/** Letters and digits only: rendered Markdown and its source compare equal this way. */
const bare = (text: string): string => text.replace(/[^\p{L}\p{N}]+/gu, '');
/**
 * The text an answer's markdown shows once rendered, for comparing with the page's text: an
 * ordered list's numbers and a code fence's language are drawn by the list and the block, not
 * written in their text (the model answers with a numbered list now and then).
 */
const asShown = (markdown: string): string => markdown.replace(/^\s*\d+[.)](?=\s)/gm, '').replace(/^\s*(```|~~~)[^\n]*$/gm, '');
const words = (text: string): string => text.replace(/\s+/g, ' ').trim();

async function pickModel(page: Page, model: string): Promise<void> {
  if (models.includes(model)) await page.getByLabel('Model', { exact: true }).selectOption(model);
}

// --------------------------------------------------------------------------------- tests

describe('the chat UI', () => {
  uiTest('signs in, refusing a wrong password, and signs out', async ({ page }) => {
    await page.goto('/');
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(page.url()).toMatch(/\/login$/);

    await signIn(page);
    const nav = page.getByRole('navigation');
    for (const link of ['Chats', 'API keys', 'Status']) await nav.getByRole('link', { name: link, exact: true }).waitFor();
    const session = JSON.parse((await page.evaluate(() => localStorage.getItem('shoshizan.session'))) ?? 'null') as {
      accessToken: string;
      refreshToken: string;
    } | null;
    expect(session).toEqual(
      expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresAt: expect.anything() }),
    );
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'ui', 'signed-in.png') });

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/login$/);
    expect(await page.evaluate(() => localStorage.getItem('shoshizan.session'))).toBeNull();
  });

  uiTest('creates a conversation and streams a real answer into it', async (session) => {
    const { page } = session;
    await signIn(page);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    // Every length the answer's text takes on the page, to see it arrive piece by piece.
    await page.evaluate(() => {
      const seen: number[] = [];
      window.__lengths = seen;
      new MutationObserver(() => {
        const articles = document.querySelectorAll('[role="log"] article[data-role="assistant"]');
        const length = articles[articles.length - 1]?.querySelector('.message-content')?.textContent?.trim().length ?? 0;
        if (length > 0 && length !== seen[seen.length - 1]) seen.push(length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const question = 'Why is the sky blue? Answer in two sentences.';
    await send(page, question);
    const id = await conversationIdOf(page);
    await messages(page).locator('article[data-role="user"]').filter({ hasText: question }).waitFor();
    await waitForStatus(page, 'done');

    const shown = await contentOf(lastAssistant(page));
    // Light theme: every visible text meets WCAG AA contrast.
    expect(await contrastProblems(page)).toEqual([]);
    const stored = await lastAnswer(id, (m) => m.status === 'done');
    expect(stored.content.trim()).not.toBe('');
    expect(bare(shown)).toBe(bare(asShown(stored.content)));
    const lengths = await page.evaluate(() => window.__lengths as number[]);
    expect(lengths.length).toBeGreaterThan(1); // streamed, not painted once at the end
    // The conversation is listed; renamed there, it keeps the new title.
    const list = page.getByRole('list', { name: 'Conversations' });
    const { title } = await conversation(id);
    await list.getByRole('button', { name: `Rename ${title}`, exact: true }).click();
    await list.getByLabel('Conversation title', { exact: true }).fill('Why the sky is blue');
    await list.getByLabel('Conversation title', { exact: true }).press('Enter');
    await list.getByRole('link', { name: 'Why the sky is blue', exact: true }).waitFor();
    await eventually(() => conversation(id), (c) => c.title === 'Why the sky is blue', { what: 'the new title' });

    // A second question in the same conversation is answered after the first.
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).count()).toBe(0);
    await send(page, 'And why are sunsets red?');
    await waitForStatus(page, 'done');
    await eventually(
      async () => (await conversation(id)).messages.map((m) => `${m.role}:${m.status}`),
      (roles) => roles.join() === 'user:done,assistant:done,user:done,assistant:done',
      { what: 'two questions, two answers' },
    );
    expect(await messages(page).locator('article').count()).toBe(4);
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');

    await session.screenshot('chat');
    await session.screenshot();
    if (process.env.UI_DOCS_SCREENSHOT === '1') {
      mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
      copyFileSync(join(ROOT, 'test-artifacts', 'ui', 'chat.png'), join(ROOT, 'docs', 'images', 'chat.png'));
    }
  });

  uiTest('picks another model, and the conversation keeps it', async ({ page }) => {
    await signIn(page);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    const select = page.getByLabel('Model', { exact: true });
    const labels = (await select.locator('option').allTextContents()).map((l) => l.trim());
    expect(labels).toContain(`${infra.model} (default)`);
    if (models.length < 2) {
      // One model installed: nothing to pick (local mode installs two, see ollama.sh).
      expect(labels).toHaveLength(1);
      return;
    }
    expect(models).toContain(PRECISE);
    await select.selectOption(PRECISE);
    await send(page, 'What is the capital of France? Answer in one word.');
    const id = await conversationIdOf(page);
    await waitForStatus(page, 'done');
    const stored = await lastAnswer(id, (m) => m.status === 'done');
    expect(stored.model).toBe(PRECISE);
    expect((await conversation(id)).model).toBe(PRECISE);
    await page.reload();
    await waitForStatus(page, 'done');
    expect(await page.getByLabel('Model', { exact: true }).inputValue()).toBe(PRECISE);
  });

  uiTest('stops an answer mid-way, and it stays stopped', async ({ page }) => {
    await signIn(page);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await pickModel(page, PRECISE);
    await send(page, LONG_PROMPT);
    const id = await conversationIdOf(page);
    await waitForAnswerText(page, 20);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await waitForStatus(page, 'cancelled', 30_000);
    await page.getByRole('button', { name: 'Stop', exact: true }).waitFor({ state: 'hidden' });
    const shown = await contentOf(lastAssistant(page));

    const stored = await lastAnswer(id, (m) => m.status === 'cancelled');
    const state = (await (await api('GET', `/v1/chat/${stored.requestId}`)).json()) as { status: string };
    expect(state.status).toBe('cancelled');
    // The request's stream ended with `cancelled` and no `done`: nothing more is coming.
    const events = await collect(await api('GET', `/v1/chat/${stored.requestId}/events`));
    expect(events.at(-1)?.type).toBe('cancelled');
    expect(events.some((e) => e.type === 'done')).toBe(false);
    // What the page shows is what was generated before the stop, once, and it stays so.
    expect(bare(shown)).toBe(bare(asShown(textOf(events))));
    expect(bare(stored.content)).toBe(bare(textOf(events)));
    expect(bare(shown).length).toBeGreaterThan(0);
    expect(await contentOf(lastAssistant(page))).toBe(shown);
  });

  uiTest('reloaded mid-answer, goes on with the same answer without repeating any of it', async (session) => {
    const { page } = session;
    await signIn(page);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await pickModel(page, PRECISE);
    await send(page, LONG_PROMPT);
    const id = await conversationIdOf(page);
    const before = words(await waitForAnswerText(page, 30));
    await session.screenshot('reload-before');
    await page.reload();

    // After the reload the answer shows again from its start and keeps growing live.
    await page.waitForFunction(
      (min) => {
        const articles = document.querySelectorAll('[role="log"] article[data-role="assistant"]');
        const text = articles[articles.length - 1]?.querySelector('.message-content')?.textContent ?? '';
        return text.replace(/\s+/g, ' ').trim().length > min;
      },
      before.length + 20,
      { timeout: 120_000 },
    );
    const after = words(await contentOf(lastAssistant(page)));
    expect(after.startsWith(before)).toBe(true);
    expect(['streaming', 'queued']).toContain(await lastAssistant(page).getAttribute('data-status'));
    await session.screenshot('reload-after');

    // Stop it, and compare the page with what the system holds: the same text, once.
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await waitForStatus(page, 'cancelled', 30_000);
    const shown = await contentOf(lastAssistant(page));
    const stored = await lastAnswer(id, (m) => m.status === 'cancelled');
    expect(bare(shown)).toBe(bare(asShown(stored.content)));
    expect(words(shown).split(before).length - 1).toBe(1);
  });

  uiTest('switches between conversations and back', async (session) => {
    const { page } = session;
    // Two conversations with an answer each, made through the API.
    const made: { id: string; title: string; question: string; answer: string }[] = [];
    for (const [title, question] of [
      ['Alpha notes', 'Name a fruit.'],
      ['Beta notes', 'Name a colour.'],
    ] as const) {
      const { id } = (await (await api('POST', '/v1/conversations', { title })).json()) as { id: string };
      const posted = (await (await api('POST', `/v1/conversations/${id}/messages`, { content: question })).json()) as {
        eventsUrl: string;
      };
      const events = await collect(await api('GET', posted.eventsUrl));
      expect(events.at(-1)?.type).toBe('done');
      made.push({ id, title, question, answer: textOf(events) });
    }
    const [alpha, beta] = made as [(typeof made)[0], (typeof made)[0]];

    await signIn(page);
    const list = page.getByRole('list', { name: 'Conversations' });
    const shows = async (c: typeof alpha): Promise<void> => {
      await page.waitForURL(new RegExp(`/c/${c.id}$`));
      await messages(page).locator('article[data-role="user"]').filter({ hasText: c.question }).waitFor();
      await waitForStatus(page, 'done');
      expect(bare(await contentOf(lastAssistant(page)))).toBe(bare(asShown(c.answer)));
      expect(await messages(page).locator('article').count()).toBe(2);
    };
    await list.getByRole('link', { name: alpha.title }).click();
    await shows(alpha);
    await list.getByRole('link', { name: beta.title }).click();
    await shows(beta);
    await list.getByRole('link', { name: alpha.title }).click();
    await shows(alpha);
    // The browser's Back goes to the conversation seen before.
    await page.goBack();
    await shows(beta);

    // Search narrows the list.
    await page.getByLabel('Search chats', { exact: true }).fill('Beta');
    await list.getByRole('link', { name: alpha.title }).waitFor({ state: 'detached' });
    // The list may be empty for a moment between the old results and the searched ones.
    await list.getByRole('link', { name: beta.title }).first().waitFor();
    expect(await list.getByRole('link', { name: beta.title }).count()).toBe(1);
    await session.screenshot();

    // Deleting asks first; Cancel keeps the conversation, Delete removes it.
    await page.getByLabel('Search chats', { exact: true }).fill('');
    await list.getByRole('button', { name: `Delete ${alpha.title}`, exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await api('GET', `/v1/conversations/${alpha.id}`)).status).toBe(200);
    await list.getByRole('button', { name: `Delete ${alpha.title}`, exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await list.getByRole('link', { name: alpha.title }).waitFor({ state: 'detached' });
    expect((await api('GET', `/v1/conversations/${alpha.id}`)).status).toBe(404);
  });

  uiTest('regenerates the last answer, edits the last question, and copies an answer', async ({ page }) => {
    await signIn(page);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await send(page, 'Name a fruit.');
    const id = await conversationIdOf(page);
    await waitForStatus(page, 'done');
    const first = await lastAnswer(id, (m) => m.status === 'done');

    // Copy puts the answer as its text on the clipboard.
    await lastAssistant(page).getByRole('button', { name: 'Copy message', exact: true }).click();
    await page.waitForFunction((text) => navigator.clipboard.readText().then((t) => t === text), first.content);

    // Regenerate: a new answer (a new request) to the same question replaces the last one.
    await lastAssistant(page).getByRole('button', { name: 'Regenerate', exact: true }).click();
    const second = await lastAnswer(id, (m) => m.status === 'done' && m.requestId !== first.requestId);
    await waitForStatus(page, 'done');
    expect(bare(await contentOf(lastAssistant(page)))).toBe(bare(asShown(second.content)));

    // Edit the question: it is replaced, and answered again.
    const question = messages(page).locator('article[data-role="user"]').last();
    await question.getByRole('button', { name: 'Edit', exact: true }).click();
    await question.getByLabel('Edit message', { exact: true }).fill('Name a vegetable.');
    await question.getByRole('button', { name: 'Save and send', exact: true }).click();
    const third = await lastAnswer(id, (m) => m.status === 'done' && m.requestId !== second.requestId);
    await messages(page).locator('article[data-role="user"]').filter({ hasText: 'Name a vegetable.' }).waitFor();
    await waitForStatus(page, 'done');
    expect(bare(await contentOf(lastAssistant(page)))).toBe(bare(asShown(third.content)));
    const stored = await conversation(id);
    expect(stored.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['Name a vegetable.']);
  });

  uiTest('makes and revokes an API key, shows the status, and switches the theme', async (session) => {
    const { page } = session;
    await signIn(page);
    await page.getByRole('navigation').getByRole('link', { name: 'API keys', exact: true }).click();
    await page.waitForURL(/\/keys$/);
    await page.getByLabel('Key name', { exact: true }).fill('nightly script');
    await page.getByRole('button', { name: 'Create key', exact: true }).click();
    const key = ((await page.getByTestId('new-api-key').textContent()) ?? '').trim();
    expect(key).toMatch(/^shz_/);
    const withKey = (): Promise<Response> =>
      fetch(`${stack.gateway}/v1/conversations`, { headers: { authorization: `Bearer ${key}` } });
    expect((await withKey()).status).toBe(200);
    await session.screenshot('api-keys');
    await page.getByRole('button', { name: 'Revoke nightly script', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('button', { name: 'Revoke nightly script', exact: true }).waitFor({ state: 'detached' });
    expect((await withKey()).status).toBe(401);

    await page.getByRole('navigation').getByRole('link', { name: 'Status', exact: true }).click();
    await page.waitForURL(/\/status$/);
    const gatewayRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'gateway', exact: true }) });
    await gatewayRow.getByText('up', { exact: true }).waitFor();
    const states = (await page.locator('tbody td .state').allTextContents()).map((t) => t.trim());
    expect(states.length).toBeGreaterThan(1);
    for (const state of states) expect(['up', 'down']).toContain(state);
    await session.screenshot('status');

    const html = page.locator('html');
    expect(await html.getAttribute('data-theme')).toBe('light');
    await page.getByRole('button', { name: 'Toggle theme', exact: true }).click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-theme') === 'dark');
    await session.screenshot();
    await page.getByRole('button', { name: 'Toggle theme', exact: true }).click();
    await page.waitForFunction(() => document.documentElement.getAttribute('data-theme') === 'light');
  });

  uiTest('sends an expired session to the sign-in screen', async (session) => {
    const { page } = session;
    await signIn(page);
    const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('shoshizan.session')))!) as {
      accessToken: string;
      refreshToken: string;
      expiresAt: number | string;
    };
    // The refresh token is revoked (as a sign-out elsewhere does) and the access token has
    // run out: one like it, signed with the gateway's key, that expired a minute ago.
    const logout = await fetch(`${stack.gateway}/v1/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored.refreshToken }),
    });
    expect(logout.ok).toBe(true);
    const claims = jwt.decode(stored.accessToken) as jwt.JwtPayload;
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign({ ...claims, iat: now - 960, exp: now - 60 }, stack.secret, { algorithm: 'HS256' });
    expect((await fetch(`${stack.gateway}/v1/conversations`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
    const past =
      typeof stored.expiresAt === 'number'
        ? stored.expiresAt > 1e12
          ? Date.now() - 60_000
          : now - 60
        : new Date(Date.now() - 60_000).toISOString();
    await page.evaluate(
      (value) => localStorage.setItem('shoshizan.session', value),
      JSON.stringify({ ...stored, accessToken: expired, expiresAt: past }),
    );

    // A fresh load of the app, not a reload: since a logout ends the access token at once,
    // the page may already have noticed and be on the sign-in page, where a reload starts
    // nothing. Loading the chat with the planted session is the case under test.
    await page.goto('/');
    await page.waitForURL(/\/login(\?.*)?$/);
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    await session.screenshot();
    // And signing in again works.
    await signIn(page);
  });

  uiTest(
    'works at phone width in the dark theme, by keyboard alone, with every control named',
    async (session) => {
      const { page } = session;
      await page.goto('/login');
      await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      // At phone width the chat list starts hidden behind this button.
      await page.getByRole('button', { name: 'Show chats', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'New chat', exact: true }).isVisible()).toBe(false);
      expect(await page.evaluate(() => document.documentElement.getAttribute('data-theme'))).toBe('dark');
      // Nothing wider than the screen.
      const overflow = await page.evaluate(() => {
        const root = document as unknown as { documentElement: { scrollWidth: number; clientWidth: number } };
        return root.documentElement.scrollWidth - root.documentElement.clientWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      // The chat list is behind a button, and comes back out of the way.
      await page.getByRole('button', { name: 'Show chats', exact: true }).click();
      await page.getByRole('button', { name: 'New chat', exact: true }).click();
      // Every button, field and select has a name a screen reader can say.
      const unnamed = await page.evaluate(() => {
        const all = document.querySelectorAll('button, input, select, textarea, a[href]') as unknown as ArrayLike<{
          getAttribute(name: string): string | null;
          textContent: string | null;
          id: string;
          labels?: ArrayLike<unknown> | null;
          outerHTML: string;
          offsetParent: unknown;
        }>;
        return Array.from(all)
          .filter((el) => el.offsetParent !== null)
          .filter((el) => !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent?.trim() || (el.labels && el.labels.length > 0) || el.getAttribute('title')))
          .map((el) => el.outerHTML.slice(0, 120));
      });
      expect(unnamed).toEqual([]);
      // Tab reaches the message field; Enter sends; the answer comes.
      let focused = '';
      for (let i = 0; i < 40 && focused !== 'Message'; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => {
          const el = document.activeElement;
          return el?.getAttribute('aria-label') ?? el?.getAttribute('id') ?? '';
        });
        if (focused !== 'Message') {
          focused = await page.evaluate(() => {
            const el = document.activeElement as unknown as { labels?: ArrayLike<{ textContent: string | null }> } | null;
            return el?.labels?.[0]?.textContent?.trim() ?? '';
          });
        }
      }
      expect(focused).toBe('Message');
      await page.keyboard.type('Name a colour.');
      await page.keyboard.press('Enter');
      await messages(page).locator('article[data-role="user"]').filter({ hasText: 'Name a colour.' }).waitFor();
      await waitForStatus(page, 'done');
      expect(await contrastProblems(page)).toEqual([]);
      await session.screenshot();
    },
    undefined,
    { viewport: { width: 375, height: 740 }, colorScheme: 'dark' },
  );

  uiTest('shows an answer with HTML in it as text, running none of it', async (session) => {
    const { page } = session;
    // No worker: the request waits in the queue, and this test writes its answer to the
    // responses topic as a worker would, so the answer is exactly this text.
    await stopService(stack.service('kafka-consumer'));
    const answer =
      'Here is some HTML: <img src=x onerror=window.__xss=1> and\n\n<script>window.__xss=2</script>\n\n' +
      '[a link](javascript:window.__xss=3) <svg onload=alert(4)></svg>\n\n```html\n<script>window.__xss=5</script>\n```\n';

    await signIn(page);
    await page.getByRole('button', { name: 'New chat', exact: true }).click();
    await send(page, 'Show me some HTML.');
    const id = await conversationIdOf(page);
    const queueShown = await page
      .getByTestId('queue-position')
      .waitFor({ timeout: 20_000 })
      .then(
        () => true,
        () => false,
      );
    const pending = await lastAnswer(id, (m) => m.requestId !== null);
    const request = (await (await api('GET', `/v1/chat/${pending.requestId}`)).json()) as { userId: string };
    await writeAnswer(pending.requestId!, id, request.userId, answer);
    await waitForStatus(page, 'done');

    const assertInert = async (): Promise<void> => {
      const log = messages(page);
      const shown = await contentOf(lastAssistant(page));
      expect(shown).toContain('<img src=x onerror=window.__xss=1>');
      expect(shown).toContain('<script>window.__xss=2</script>');
      expect(await page.evaluate(() => window.__xss)).toBeUndefined();
      expect(await log.locator('script, iframe, object, embed, svg[onload], [onerror], [onload]').count()).toBe(0);
      expect(await log.locator('a[href^="javascript:" i]').count()).toBe(0);
      expect(session.watch.dialogs).toEqual([]);
    };
    await assertInert();
    // The code block's own copy button copies its text, as text.
    await lastAssistant(page).getByRole('button', { name: 'Copy code', exact: true }).click();
    await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t.trim() === '<script>window.__xss=5</script>'));
    // The same answer as stored, after a reload.
    expect((await lastAnswer(id, (m) => m.status === 'done')).content).toBe(answer);
    await page.reload();
    await waitForStatus(page, 'done');
    await assertInert();
    expect(queueShown).toBe(true);
  });
});

/** Writes a whole answer to the responses topic as a worker would: started, tokens, done. */
async function writeAnswer(requestId: string, conversationId: string, userId: string, text: string): Promise<void> {
  const base = { version: 1, kind: 'chat.response', requestId, conversationId, userId } as const;
  const at = (): string => new Date().toISOString();
  const pieces = text.match(/[\s\S]{1,7}/g) ?? []; // small pieces, so tags arrive split
  const events: ResponseEvent[] = [
    responseEventSchema.parse({ ...base, seq: 1, at: at(), type: 'started', model: infra.model }),
    ...pieces.map((piece, i) => responseEventSchema.parse({ ...base, seq: i + 2, at: at(), type: 'token', text: piece })),
    responseEventSchema.parse({
      ...base,
      seq: pieces.length + 2,
      at: at(),
      type: 'done',
      model: infra.model,
      usage: { promptTokens: 5, completionTokens: pieces.length, totalTokens: 5 + pieces.length },
      finishReason: 'stop',
      durationMs: 100,
    }),
  ];
  const producer = stack.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: topicName('responses', stack.prefix),
    messages: events.map((e) => ({ key: requestId, value: JSON.stringify(e), headers: { [HEADERS.requestId]: requestId } })),
  });
  await producer.disconnect();
}
