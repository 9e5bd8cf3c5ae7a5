import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Model } from '@/api/client';
import { apiClient } from '@/api/app-client';
import { describeError, type Problem } from '@/lib/errors';

/** Models picked for conversations before a message carried the choice to the gateway. */
const PICKS_KEY = 'shoshizan.model-picks';

function readPicks(): Record<string, string> {
  try {
    const value = JSON.parse(localStorage.getItem(PICKS_KEY) ?? '{}') as unknown;
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The models from /v1/models, the default one marked, and the model picked per
 * conversation: the gateway remembers a conversation's model once a message names it;
 * a pick not sent yet is kept here (and across reloads) until then.
 */
export const useModelsStore = defineStore('models', () => {
  const models = ref<Model[]>([]);
  const loaded = ref(false);
  const error = ref<Problem | null>(null);
  const picks = ref<Record<string, string>>(readPicks());
  let loading: Promise<void> | null = null;

  const defaultModel = computed(() => models.value.find((m) => m.default)?.id ?? models.value[0]?.id ?? null);

  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve();
    loading ??= (async () => {
      try {
        models.value = (await apiClient().listModels()).data;
        loaded.value = true;
        error.value = null;
      } catch (e) {
        error.value = describeError(e);
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  /** The model for a conversation: a pick not sent yet, else the conversation's, else the default. */
  function modelFor(conversationId: string | null, remembered: string | null): string | null {
    const picked = conversationId ? picks.value[conversationId] : picks.value.new;
    const candidate = picked ?? remembered ?? defaultModel.value;
    if (candidate && loaded.value && !models.value.some((m) => m.id === candidate)) return defaultModel.value;
    return candidate;
  }

  function pick(conversationId: string | null, model: string): void {
    picks.value = { ...picks.value, [conversationId ?? 'new']: model };
    localStorage.setItem(PICKS_KEY, JSON.stringify(picks.value));
  }

  /** The gateway now remembers this conversation's model: the local pick is no longer needed. */
  function settle(conversationId: string): void {
    if (!(conversationId in picks.value)) return;
    const { [conversationId]: _settled, ...rest } = picks.value;
    picks.value = rest;
    localStorage.setItem(PICKS_KEY, JSON.stringify(rest));
  }

  return { models, loaded, error, defaultModel, load, modelFor, pick, settle };
});
