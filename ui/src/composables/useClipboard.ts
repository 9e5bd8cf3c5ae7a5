import { onBeforeUnmount, ref } from 'vue';

/** Writes text to the clipboard (with a fallback where the Clipboard API is missing, e.g. plain http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied: try the old way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** `copy(text)` and a `copied` flag that stays true for a moment, for the button to say so. */
export function useClipboard(resetMs = 1600) {
  const copied = ref(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function copy(text: string): Promise<boolean> {
    const ok = await copyText(text);
    copied.value = ok;
    clearTimeout(timer);
    timer = setTimeout(() => (copied.value = false), resetMs);
    return ok;
  }
  onBeforeUnmount(() => clearTimeout(timer));
  return { copied, copy };
}
