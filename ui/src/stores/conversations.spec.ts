import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient, Conversation, ConversationPage } from '@/api/client';
import { setApiClient } from '@/api/app-client';
import { PAGE_SIZE, useConversationsStore } from './conversations';

const conversation = (n: number, title = `Chat ${n}`): Conversation => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  title,
  model: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('the conversations store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('loads newest first a page at a time, following the cursor', async () => {
    const listConversations = vi.fn(
      async (query: { cursor?: string }): Promise<ConversationPage> =>
        query.cursor ? { items: [conversation(3)], nextCursor: null } : { items: [conversation(1), conversation(2)], nextCursor: 'c1' },
    );
    setApiClient({ listConversations } as unknown as ApiClient);
    const store = useConversationsStore();
    await store.reload();
    expect(store.items.map((c) => c.title)).toEqual(['Chat 1', 'Chat 2']);
    await store.loadMore();
    expect(store.items.map((c) => c.title)).toEqual(['Chat 1', 'Chat 2', 'Chat 3']);
    expect(listConversations.mock.calls.map(([q]) => q)).toEqual([{ limit: PAGE_SIZE }, { limit: PAGE_SIZE, cursor: 'c1' }]);
    await store.loadMore(); // the last page: nothing more to ask
    expect(listConversations).toHaveBeenCalledTimes(2);
  });

  it('searches by title at the gateway and drops the answer of a search typed over', async () => {
    const answers: Record<string, (page: ConversationPage) => void> = {};
    const listConversations = vi.fn(
      (query: { q?: string }) => new Promise<ConversationPage>((resolve) => (answers[query.q ?? ''] = resolve)),
    );
    setApiClient({ listConversations } as unknown as ApiClient);
    const store = useConversationsStore();
    const slow = store.setSearch('sk');
    const fast = store.setSearch('sky');
    answers.sky!({ items: [conversation(1, 'Blue sky')], nextCursor: null });
    await fast;
    answers.sk!({ items: [conversation(2, 'Skiing')], nextCursor: null });
    await slow;
    expect(store.items.map((c) => c.title)).toEqual(['Blue sky']);
    expect(store.loading).toBe(false);
  });

  it('puts a new or renamed chat on top and removes a deleted one', async () => {
    setApiClient({
      listConversations: async () => ({ items: [conversation(1), conversation(2)], nextCursor: null }),
      createConversation: async () => conversation(9, 'New'),
      renameConversation: async (id: string, title: string) => ({ ...conversation(2), id, title }),
      deleteConversation: async () => undefined,
    } as unknown as ApiClient);
    const store = useConversationsStore();
    await store.reload();
    await store.create();
    await store.rename(conversation(2).id, 'Renamed');
    expect(store.items.map((c) => c.title)).toEqual(['Renamed', 'New', 'Chat 1']);
    await store.remove(conversation(1).id);
    expect(store.items.map((c) => c.title)).toEqual(['Renamed', 'New']);
  });
});
