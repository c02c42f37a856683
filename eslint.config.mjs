// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'runs',
      'output',
      '.temporal',
      '.studio',
      'test-results',
      '.cache',
      '.venv-speech',
      '.models',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Forgetting to await a Temporal API (signal, start, sleep) is a real bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain JavaScript (the CLI shim, this file) is not part of the TypeScript project.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { require: 'readonly', process: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node, no side-effect libraries,
    // and activities only as types.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflows must not import Node builtins.' },
            {
              group: ['../activities', '../activities/*', '../providers', '../providers/*', '../media', '../media/*'],
              allowTypeImports: true,
              message: 'Workflows import activity/provider/media code as types only.',
            },
          ],
          paths: [
            'fs',
            'fs/promises',
            'path',
            'child_process',
            'crypto',
            'os',
            'http',
            'https',
            'net',
            'stream',
            'fluent-ffmpeg',
            '@google/genai',
            '@temporalio/activity',
            '@temporalio/client',
            '@temporalio/worker',
          ].map((name) => ({ name, message: 'Not allowed in workflow code (determinism).' })),
        },
      ],
    },
  },
);
