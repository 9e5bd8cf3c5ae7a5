import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { newAnswer } from '@/lib/answer';
import type { ChatMessageView } from '@/stores/chat';
import ChatMessage from './ChatMessage.vue';

const view = (fields: Partial<ChatMessageView>): ChatMessageView => ({
  id: 'm1',
  role: 'assistant',
  text: '',
  toolCalls: [],
  status: 'done',
  model: 'gemma3:270m',
  requestId: 'r1',
  answer: undefined,
  errorCode: null,
  errorMessage: null,
  usage: null,
  durationMs: null,
  ...fields,
});

function render(message: ChatMessageView, extra: { canRegenerate?: boolean; canEdit?: boolean } = {}) {
  return mount(ChatMessage, { props: { message, canRegenerate: false, canEdit: false, ...extra } });
}

describe('ChatMessage', () => {
  it('shows the tools an answer called, and a tool result as such', () => {
    const call = render(view({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }));
    expect(call.get('[data-testid="tool-calls"]').text()).toContain('get_weather({"city":"Paris"})');
    // An answer that only called a tool is not an empty one.
    expect(call.text()).not.toContain('empty answer');
    const result = render(view({ role: 'tool', text: '{"temperature_c":18}' }));
    expect(result.get('[data-testid="tool-result"]').text()).toContain('{"temperature_c":18}');
    expect(result.find('h3').text()).toBe('A tool answered');
  });

  it('is an article saying its role and status', () => {
    const article = render(view({ text: 'Hi', status: 'streaming' })).get('article');
    expect(article.attributes('data-role')).toBe('assistant');
    expect(article.attributes('data-status')).toBe('streaming');
  });

  it('shows a queued answer with its place in line and the estimate', () => {
    const answer = newAnswer('r1', { queuePosition: 2, estimatedWaitSeconds: 10 });
    const queue = render(view({ status: 'queued', answer })).get('[data-testid="queue-position"]');
    expect(queue.text()).toBe('Queued: position 2 (about 10 s)');
  });

  it('says why an answer failed, with the reason, as an alert', () => {
    const wrapper = render(
      view({ status: 'error', errorCode: 'upstream_unavailable', errorMessage: 'Ollama unreachable after 3 retries' }),
    );
    expect(wrapper.get('[role="alert"]').text()).toBe(
      'The request failed and was set aside after its retries. Reason: Ollama unreachable after 3 retries',
    );
  });

  it('says the connection is being restored while it reconnects', () => {
    const answer = newAnswer('r1', { status: 'streaming', reconnecting: true, text: 'Part' });
    expect(render(view({ status: 'streaming', text: 'Part', answer })).text()).toContain('Reconnecting…');
  });

  it('offers Copy message, and Regenerate on the last answer', async () => {
    const wrapper = render(view({ text: 'Done.', usage: { promptTokens: 3, completionTokens: 2 }, durationMs: 1500 }), {
      canRegenerate: true,
    });
    expect(wrapper.find('button[aria-label="Copy message"]').exists()).toBe(true);
    await wrapper.get('button[aria-label="Regenerate"]').trigger('click');
    expect(wrapper.emitted('regenerate')).toHaveLength(1);
    expect(wrapper.text()).toContain('gemma3:270m · 2 tokens · 1.5 s');
  });

  it('edits the last message in place: Save and send, or Cancel', async () => {
    const wrapper = render(view({ role: 'user', text: 'Old question', requestId: null }), { canEdit: true });
    expect(wrapper.find('button[aria-label="Regenerate"]').exists()).toBe(false);
    await wrapper.get('button[aria-label="Edit"]').trigger('click');
    const editor = wrapper.get('textarea');
    expect(wrapper.get(`label[for="${editor.attributes('id')}"]`).text()).toBe('Edit message');
    await editor.setValue('New question');
    await wrapper.get('form').trigger('submit');
    expect(wrapper.emitted('edit')).toEqual([['New question']]);
    await wrapper.get('button[aria-label="Edit"]').trigger('click');
    await wrapper.findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click');
    expect(wrapper.find('textarea').exists()).toBe(false);
  });
});
