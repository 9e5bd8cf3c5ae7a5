import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';

/**
 * Model output as HTML: Markdown (raw HTML in it is shown as text, never parsed), code
 * highlighted, and the result sanitised with DOMPurify all the same, so nothing a model
 * writes can run script or load anything but plain links and images over http(s).
 */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight(code, lang): string {
    const language = lang && hljs.getLanguage(lang) ? lang : undefined;
    const body = language
      ? hljs.highlight(code, { language, ignoreIllegals: true }).value
      : escapeHtml(code);
    const label = escapeHtml(language ?? (lang || 'text'));
    // The copy button is added by the component (it needs a click handler); this marks the spot.
    return `<pre class="code-block" data-lang="${label}"><code class="hljs${language ? ` language-${label}` : ''}">${body}</code></pre>`;
  },
});

// Links from a model open in a new tab, without giving that tab a handle on this one.
const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

// Images are not loaded from model output (a URL can carry data out, or track the reader):
// they become links to the image, which the person may open.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = token.content || 'image';
  return `<a href="${escapeHtml(src)}" target="_blank" rel="noopener noreferrer">[image: ${escapeHtml(alt)}]</a>`;
};

let hooked = false;
function sanitizer(): typeof DOMPurify {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

export function renderMarkdown(text: string): string {
  return sanitizer().sanitize(md.render(text), {
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    ADD_ATTR: ['target'],
    FORBID_TAGS: ['style', 'img', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}
