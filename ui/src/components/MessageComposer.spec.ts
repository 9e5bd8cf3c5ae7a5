import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageComposer from './MessageComposer.vue';

function composer(props: { answering?: boolean; busy?: boolean } = {}) {
  return mount(MessageComposer, { props: { answering: false, busy: false, ...props } });
}

describe('MessageComposer', () => {
  it('sends on Enter and clears the box', async () => {
    const wrapper = composer();
    const area = wrapper.get('textarea');
    await area.setValue('Hello there');
    await area.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toEqual([['Hello there']]);
    expect((area.element as HTMLTextAreaElement).value).toBe('');
  });

  it('adds a line on Shift+Enter instead of sending', async () => {
    const wrapper = composer();
    const area = wrapper.get('textarea');
    await area.setValue('line one');
    await area.trigger('keydown', { key: 'Enter', shiftKey: true });
    expect(wrapper.emitted('send')).toBeUndefined();
  });

  it('does not send while an input method is composing, or an empty message', async () => {
    const wrapper = composer();
    const area = wrapper.get('textarea');
    await area.setValue('かな');
    await area.trigger('keydown', { key: 'Enter', isComposing: true });
    await area.setValue('   ');
    await area.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toBeUndefined();
  });

  it('is labelled Message, and offers Stop instead of Send while an answer is coming', async () => {
    const wrapper = composer();
    expect(wrapper.get('label').text()).toBe('Message');
    expect(wrapper.get('label').attributes('for')).toBe(wrapper.get('textarea').attributes('id'));
    expect(wrapper.find('button[aria-label="Send"]').exists()).toBe(true);
    await wrapper.setProps({ answering: true });
    expect(wrapper.find('button[aria-label="Send"]').exists()).toBe(false);
    await wrapper.get('button[aria-label="Stop"]').trigger('click');
    expect(wrapper.emitted('stop')).toHaveLength(1);
    // Enter does not send over an answer still coming.
    await wrapper.get('textarea').setValue('next');
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('send')).toBeUndefined();
  });
});
