import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import MarkdownContent from './MarkdownContent.vue';

describe('MarkdownContent', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('renders Markdown, with code highlighted', () => {
    const wrapper = mount(MarkdownContent, { props: { text: '# Title\n\n**bold** and `code`\n\n```js\nconst x = 1;\n```' } });
    const content = wrapper.get('.message-content');
    expect(content.get('h1').text()).toBe('Title');
    expect(content.get('strong').text()).toBe('bold');
    expect(content.get('pre code').classes()).toContain('language-js');
    expect(content.get('pre code').find('.hljs-keyword').text()).toBe('const');
  });

  it('never lets a model run script: raw HTML is text, and handlers and javascript: links are gone', () => {
    const text = [
      '<img src=x onerror=alert(1)>',
      '<script>alert(2)</script>',
      '[click](javascript:alert(3))',
      '![pixel](https://tracker.example/p.png)',
      '<a href="https://x.example" onclick="alert(4)">x</a>',
    ].join('\n\n');
    const wrapper = mount(MarkdownContent, { props: { text } });
    const content = wrapper.get('.message-content').element;
    expect(content.querySelector('img, script, iframe')).toBeNull();
    for (const element of content.querySelectorAll('*')) {
      expect(element.getAttributeNames().filter((name) => name.startsWith('on'))).toEqual([]);
      expect(element.getAttribute('href') ?? '').not.toMatch(/^javascript:/i);
    }
    // Shown as the text it is, not dropped silently.
    expect(content.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(content.textContent).toContain('<script>alert(2)</script>');
    // An image is a link to it, not loaded.
    const link = content.querySelector('a[href="https://tracker.example/p.png"]');
    expect(link?.textContent).toBe('[image: pixel]');
  });

  it('opens links in a new tab without giving it a handle on this one', () => {
    const wrapper = mount(MarkdownContent, { props: { text: 'See [docs](https://example.com) or https://example.org' } });
    const links = wrapper.findAll('a');
    expect(links).toHaveLength(2);
    for (const link of links) {
      expect(link.attributes('target')).toBe('_blank');
      expect(link.attributes('rel')).toBe('noopener noreferrer');
    }
  });

  it('gives each code block a Copy code button that copies that block', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    vi.stubGlobal('isSecureContext', true);
    const wrapper = mount(MarkdownContent, {
      props: { text: '```python\nprint("one")\n```\n\ntext\n\n```\nsecond block\n```' },
      attachTo: document.body,
    });
    const buttons = wrapper.findAll('button[aria-label="Copy code"]');
    expect(buttons).toHaveLength(2);
    await buttons[1]!.trigger('click');
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('second block\n');
    expect(buttons[1]!.text()).toBe('Copied');
    // Still there after the text grows (a streaming answer re-renders).
    await wrapper.setProps({ text: '```python\nprint("one")\n```\n\nmore' });
    await flushPromises();
    expect(wrapper.findAll('button[aria-label="Copy code"]')).toHaveLength(1);
    wrapper.unmount();
  });
});
