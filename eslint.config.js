// Flat config. Boundaries are enforced here: pwa/ and sync-server/ never import each
// other, shared/ imports neither, and the UI reaches data only through pwa/src/data/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: noImport(
      ['**/pwa/**', '**/sync-server/**', 'react', 'dexie', 'fastify', 'nano', 'pouchdb'],
      'shared/ stays free of runtimes',
    ),
  },
  {
    files: ['sync-server/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: noImport(['**/pwa/**'], 'sync-server must not import the PWA'),
  },
  {
    files: ['pwa/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...noImport(['**/sync-server/**', 'nano', 'pouchdb', 'fastify'], 'the PWA must not import the server'),
    },
  },
  {
    // Components and screens reach data through the typed facade in pwa/src/data only.
    files: ['pwa/src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'use the data layer (pwa/src/data)' },
        { name: 'indexedDB', message: 'use the data layer (pwa/src/data)' },
        { name: 'localStorage', message: 'use the data layer (pwa/src/data)' },
      ],
    },
  },
  {
    files: [
      'tests/**/*.{ts,tsx}',
      'bench/**/*.ts',
      '*.config.{js,ts}',
      'scripts/**/*.{js,mjs,ts}',
      'pwa/scripts/**/*.mjs',
    ],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
