// @ts-check
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      'jest.config.js',
      'eslint.config.mjs',
      'ui/src/api/openapi.d.ts', // generated from the gateway's OpenAPI document
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest modules are classes with only static members by design.
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests, scripts and benchmarks poke at untyped JSON bodies; keep the checks that catch real bugs.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'ui/server/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // The chat UI (ui/): Vue single-file components and browser TypeScript, type-checked
  // against the UI's own tsconfig.
  ...pluginVue.configs['flat/recommended'].map((config) => ({ ...config, files: ['ui/src/**/*.vue'] })),
  {
    files: ['ui/src/**/*.ts', 'ui/src/**/*.vue', 'ui/vite.config.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        parser: tseslint.parser,
        project: ['./ui/tsconfig.vitest.json', './ui/tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      // Prettier-like layout is not enforced; the markup reads as written.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['ui/scripts/**/*.mjs', 'ui/scripts/**/*.d.mts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
