import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Conversation } from '@/api/client';
import { apiClient } from '@/api/app-client';

/** Conversations fetched a page at a time. */
export const PAGE_SIZE = 30;

/**
 * The sidebar's conversations: newest first, a page at a time as the list scrolls, searched
 * by title at the gateway. Answers that arrive after a newer search started are dropped.
 */
export const useConversationsStore = defineStore('conversations', () => {
  const items = ref<Conversation[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const search = ref('');
  let generation = 0;

  async function fetchPage(cursor: string | null): Promise<void> {
    const mine = generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await apiClient().listConversations({
        limit: PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
        ...(search.value.trim() ? { q: search.value.trim() } : {}),
      });
      if (mine !== generation) return;
      const known = new Set(items.value.map((c) => c.id));
      items.value = [...items.value, ...page.items.filter((c) => !known.has(c.id))];
      nextCursor.value = page.nextCursor;
      loaded.value = true;
    } catch (e) {
      if (mine === generation) error.value = (e as Error).message;
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** The first page again (after sign-in, or a new search). */
  async function reload(): Promise<void> {
    generation++;
    items.value = [];
    nextCursor.value = null;
    loaded.value = false;
    await fetchPage(null);
  }

  /** The next page, if there is one and none is on its way. */
  async function loadMore(): Promise<void> {
    if (loading.value || !nextCursor.value) return;
    await fetchPage(nextCursor.value);
  }

  async function setSearch(text: string): Promise<void> {
    if (text === search.value) return;
    search.value = text;
    await reload();
  }

  function moveToTop(conversation: Conversation): void {
    items.value = [conversation, ...items.value.filter((c) => c.id !== conversation.id)];
  }

  async function create(title?: string): Promise<Conversation> {
    const conversation = await apiClient().createConversation(title);
    moveToTop(conversation);
    return conversation;
  }

  async function rename(id: string, title: string): Promise<void> {
    moveToTop(await apiClient().renameConversation(id, title));
  }

  async function remove(id: string): Promise<void> {
    await apiClient().deleteConversation(id);
    items.value = items.value.filter((c) => c.id !== id);
  }

  /** A conversation just got a message: it is the newest now. */
  function touch(conversation: Conversation): void {
    moveToTop({ ...conversation, updatedAt: new Date().toISOString() });
  }

  function reset(): void {
    generation++;
    items.value = [];
    nextCursor.value = null;
    loaded.value = false;
    search.value = '';
  }

  return { items, nextCursor, loading, loaded, error, search, reload, loadMore, setSearch, create, rename, remove, touch, reset };
});
