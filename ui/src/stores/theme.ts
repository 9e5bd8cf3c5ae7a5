import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export type Theme = 'light' | 'dark';
export const THEME_KEY = 'shoshizan.theme';

function systemTheme(): Theme {
  return typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function storedChoice(): Theme | null {
  const value = typeof localStorage !== 'undefined' ? localStorage.getItem(THEME_KEY) : null;
  return value === 'light' || value === 'dark' ? value : null;
}

/**
 * Light or dark: follows the system (prefers-color-scheme) until the person toggles it,
 * then keeps their choice. Applied as `<html data-theme>`.
 */
export const useThemeStore = defineStore('theme', () => {
  const choice = ref<Theme | null>(storedChoice());
  const system = ref<Theme>(systemTheme());
  const theme = computed<Theme>(() => choice.value ?? system.value);

  function apply(): void {
    document.documentElement.dataset.theme = theme.value;
  }

  function toggle(): void {
    choice.value = theme.value === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, choice.value);
    apply();
  }

  if (typeof window !== 'undefined') {
    window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', (event) => {
      system.value = event.matches ? 'dark' : 'light';
      apply();
    });
  }
  apply();

  return { theme, choice, toggle, apply };
});
