import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { ApiError, type ConversationWithMessages, type Message, type Posted } from '@/api/client';
import { apiClient } from '@/api/app-client';
import { answerStatusOfMessage, isFinal, newAnswer, type AnswerState, type AnswerStatus } from '@/lib/answer';
import { describeError, type Problem } from '@/lib/errors';
import { followAnswer, waitUnlessWoken } from '@/lib/follow-answer';
import { acceptedAnswer, placeEdited, placeRegenerated, placeSent, refusedAnswer, sentMessage } from '@/lib/thread';
import { useConversationsStore } from './conversations';

/** A message as the chat view shows it. */
export interface ChatMessageView {
  id: string;
  role: 'system' | 'user' | 'assistant' | 'tool';
  text: string;
  /** The tools an answer called (conversations made through the Responses API hold them). */
  toolCalls: { id: string; name: string; arguments: string }[];
  status: AnswerStatus;
  model: string | null;
  requestId: string | null;
  answer: AnswerState | undefined;
  /** Why it failed, in words, when it did (an error event, or the gateway's refusal). */
  errorCode: string | null;
  errorMessage: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  durationMs: number | null;
}

/**
 * The open conversation and the answers being streamed. Answers live here by request id,
 * not in the page, and their streams go on while another chat is open: switching back
 * shows them where they are. After a reload the in-progress answers are rebuilt from
 * their events (from the start), so nothing is lost or doubled.
 */
export const useChatStore = defineStore('chat', () => {
  const conversation = ref<ConversationWithMessages | null>(null);
  const loading = ref(false);
  const loadError = ref<Problem | null>(null);
  /** What went wrong with the last send, regenerate or edit (when the chat does not show it). */
  const actionError = ref<Problem | null>(null);
  /**
   * A request the gateway refused (rate limit, quota, unknown model) is kept in the chat as
   * a failed answer; this says why in the API's words, with its Retry-After.
   */
  const refusal = ref<{ messageId: string; problem: Problem } | null>(null);
  const busy = ref(false);
  const answers = reactive(new Map<string, AnswerState>());
  const following = new Map<string, AbortController>();
  let openGeneration = 0;
  // Not crypto.randomUUID(): it exists only in secure contexts, and the app may be served over plain http.
  let localIds = 0;

  const messages = computed<ChatMessageView[]>(() =>
    (conversation.value?.messages ?? []).map((m) => {
      const answer = m.requestId ? answers.get(m.requestId) : undefined;
      const status = m.role !== 'assistant' ? 'done' : answer ? answer.status : answerStatusOfMessage(m.status);
      return {
        id: m.id,
        role: m.role,
        text: answer && (answer.text !== '' || !isFinal(answer.status) || m.content === '') ? answer.text : m.content,
        toolCalls: m.toolCalls ?? answer?.toolCalls ?? [],
        status,
        model: answer?.model ?? m.model,
        requestId: m.requestId,
        answer,
        errorCode: answer?.error?.code ?? m.errorCode,
        errorMessage: answer?.error?.message ?? m.errorMessage,
        usage: m.usage ?? answer?.usage ?? null,
        durationMs: m.durationMs,
      };
    }),
  );

  /** The answer still coming in the open conversation, if any. */
  const activeAnswer = computed<AnswerState | undefined>(() => {
    const last = messages.value.at(-1);
    return last?.role === 'assistant' && !isFinal(last.status) ? last.answer : undefined;
  });
  const answering = computed(() => {
    const last = messages.value.at(-1);
    return last?.role === 'assistant' && !isFinal(last.status);
  });

  async function open(id: string): Promise<void> {
    const mine = ++openGeneration;
    loading.value = true;
    loadError.value = null;
    actionError.value = null;
    refusal.value = null;
    if (conversation.value?.id !== id) conversation.value = null;
    try {
      const loaded = await apiClient().getConversation(id);
      if (mine !== openGeneration) return;
      conversation.value = loaded;
      for (const m of loaded.messages) {
        const status = answerStatusOfMessage(m.status);
        if (m.role === 'assistant' && m.requestId && !isFinal(status)) follow(m.requestId, { status, model: m.model });
      }
    } catch (error) {
      if (mine === openGeneration) loadError.value = describeError(error);
    } finally {
      if (mine === openGeneration) loading.value = false;
    }
  }

  function close(): void {
    openGeneration++;
    conversation.value = null;
    loadError.value = null;
    actionError.value = null;
    loading.value = false;
  }

  /** What one way of asking for an answer posts, and where the accepted answer goes in the thread. */
  interface Placement {
    post(conversationId: string): Promise<Posted>;
    place(messages: Message[], answer: Message): void;
  }

  /**
   * Asks the gateway for a new answer in the open conversation and follows it: sending,
   * regenerating and editing differ only in `how`. The thread shows the answer at once, the
   * conversation moves to the top of the list. False when the gateway refused (`refusal` or
   * `actionError` says why).
   */
  async function placeAnswer(how: Placement, model: string | null): Promise<boolean> {
    const current = conversation.value;
    if (!current) return false;
    return runAction(async () => {
      const posted = await how.post(current.id);
      if (conversation.value?.id === current.id) {
        how.place(conversation.value.messages, acceptedAnswer(posted, model));
        if (model) conversation.value.model = model;
      }
      follow(posted.requestId, {
        status: 'queued',
        model,
        queuePosition: posted.queuePosition,
        estimatedWaitSeconds: posted.estimatedWaitSeconds,
      });
      useConversationsStore().touch({ ...current, ...(model ? { model } : {}) });
    });
  }

  /** A body with the model picked, when one was (none: the conversation's own). */
  const withModel = <T extends object>(body: T, model: string | null): T & { model?: string } =>
    model ? { ...body, model } : body;

  /** Sends a message to the open conversation. */
  function send(content: string, model: string | null): Promise<boolean> {
    return placeAnswer(
      {
        post: (id) => apiClient().postMessage(id, withModel({ content }, model)),
        place: (messages, answer) => placeSent(messages, sentMessage(`local-${++localIds}`, content), answer),
      },
      model,
    );
  }

  /** Asks again for the last answer, which the new one replaces. */
  function regenerate(model: string | null): Promise<boolean> {
    return placeAnswer(
      {
        post: (id) => apiClient().regenerate(id, withModel({}, model)),
        place: placeRegenerated,
      },
      model,
    );
  }

  /** Replaces the last question with `content`, and asks for an answer to it. */
  function editLast(content: string, model: string | null): Promise<boolean> {
    return placeAnswer(
      {
        post: (id) => apiClient().editLastMessage(id, withModel({ content }, model)),
        place: (messages, answer) => placeEdited(messages, content, answer),
      },
      model,
    );
  }

  /**
   * Runs one of the page's actions: `busy` while it runs, and what went wrong kept as data
   * (`refusal` at the answer the gateway failed, else `actionError`) instead of thrown at
   * the page. True when it worked.
   */
  async function runAction(run: () => Promise<void>): Promise<boolean> {
    actionError.value = null;
    refusal.value = null;
    busy.value = true;
    try {
      await run();
      return true;
    } catch (error) {
      const problem = describeError(error);
      // The gateway may have kept the message and a failed answer (a refusal): show what
      // it kept, and the reason at that answer.
      const before = conversation.value?.messages.length ?? 0;
      if (error instanceof ApiError && conversation.value) await refreshQuietly(conversation.value.id);
      const refused = refusedAnswer(conversation.value?.messages ?? [], before);
      if (refused) refusal.value = { messageId: refused.id, problem };
      else actionError.value = problem;
      return false;
    } finally {
      busy.value = false;
    }
  }

  async function refreshQuietly(id: string): Promise<void> {
    try {
      const loaded = await apiClient().getConversation(id);
      if (conversation.value?.id === id) conversation.value = loaded;
    } catch {
      // The error already shown says enough.
    }
  }

  /** Stop: the gateway cancels the request and the model stops; the stream ends with `cancelled`. */
  async function stop(): Promise<void> {
    const answer = activeAnswer.value;
    if (!answer) return;
    answer.stopping = true;
    try {
      await apiClient().cancel(answer.requestId);
    } catch (error) {
      answer.stopping = false;
      actionError.value = describeError(error);
    }
  }

  /**
   * Follows a request's events until its final one, whatever page is open (how, in
   * lib/follow-answer.ts: resuming after a drop, reading again after a gap, polling the
   * queue). The answer followed is the reactive one in `answers`, so the page sees each event.
   */
  function follow(requestId: string, fields: Partial<AnswerState> = {}): void {
    const known = answers.get(requestId);
    if (known && fields.queuePosition !== undefined && known.status === 'queued') {
      known.queuePosition = fields.queuePosition;
      known.estimatedWaitSeconds = fields.estimatedWaitSeconds ?? null;
    }
    if (!known) answers.set(requestId, newAnswer(requestId, fields));
    const answer = answers.get(requestId)!; // the reactive proxy
    if (following.has(requestId) || isFinal(answer.status)) return;
    const controller = new AbortController();
    following.set(requestId, controller);
    void followAnswer(answer, { api: apiClient(), sleep: waitUnlessWoken }, controller.signal)
      .then((end) => {
        if (end === 'final') finished(answer);
      })
      .finally(() => {
        following.delete(requestId);
        controller.abort();
      });
  }

  /** The answer is final: the conversation keeps it as the gateway stored it. */
  function finished(answer: AnswerState): void {
    const current = conversation.value;
    const message = current?.messages.find((m) => m.requestId === answer.requestId);
    if (message) {
      message.status = answer.status === 'queued' || answer.status === 'streaming' ? message.status : answer.status;
      message.content = answer.text;
      message.model = answer.model ?? message.model;
      if (answer.error) {
        message.errorCode = answer.error.code;
        message.errorMessage = answer.error.message;
      }
      // Pick up the gateway's ids and usage for what was added locally.
      if (current) void refreshQuietly(current.id);
    }
  }

  /** Signing out: stop every stream and forget everything. */
  function reset(): void {
    for (const controller of following.values()) controller.abort();
    following.clear();
    answers.clear();
    close();
  }

  return {
    conversation,
    messages,
    loading,
    loadError,
    actionError,
    refusal,
    busy,
    answers,
    activeAnswer,
    answering,
    open,
    close,
    send,
    regenerate,
    editLast,
    stop,
    follow,
    reset,
  };
});
