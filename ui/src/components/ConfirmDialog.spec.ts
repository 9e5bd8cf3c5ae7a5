import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import ConfirmDialog from './ConfirmDialog.vue';

describe('ConfirmDialog', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  function open() {
    return mount(ConfirmDialog, {
      props: { title: 'Delete chat?', message: '“Sky” will be deleted.', confirmLabel: 'Delete', danger: true },
      attachTo: document.body,
    });
  }

  it('is a labelled modal dialog with Delete and Cancel, focus on Cancel', async () => {
    const wrapper = open();
    await new Promise((r) => setTimeout(r));
    const dialog = document.querySelector('[role="dialog"]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe('Delete chat?');
    const buttons = Array.from(dialog.querySelectorAll('button')).map((b) => b.textContent?.trim());
    expect(buttons).toEqual(['Cancel', 'Delete']);
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');
    wrapper.unmount();
  });

  it('confirms with its button, and cancels with Cancel or Escape', async () => {
    const wrapper = open();
    const buttons = () => Array.from(document.querySelectorAll<HTMLButtonElement>('[role="dialog"] button'));
    buttons()[1]!.click();
    expect(wrapper.emitted('confirm')).toHaveLength(1);
    buttons()[0]!.click();
    document.querySelector('[role="dialog"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(wrapper.emitted('cancel')).toHaveLength(2);
    wrapper.unmount();
  });

  it('keeps Tab inside the dialog', async () => {
    const wrapper = open();
    await new Promise((r) => setTimeout(r));
    const [cancel, confirm] = Array.from(document.querySelectorAll<HTMLButtonElement>('[role="dialog"] button'));
    confirm!.focus();
    document.querySelector('[role="dialog"]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true }));
    expect(document.activeElement).toBe(cancel);
    wrapper.unmount();
  });
});
