// Lint for the whole monorepo: typescript-eslint's recommended rules, zero warnings allowed
// (`npm run lint`, run by the test command). Boundaries between folders are dependency-cruiser's
// job (.dependency-cruiser.cjs), not this file's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '.simbuild/**', 'apps/console/dist/**', 'apps/console/src/api/schema.d.ts', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // One use case, one small file: a newcomer reads any of them in a minute.
      'max-lines': ['error', { max: 300 }],
    },
  },
  {
    // Tests and benchmarks read JSON answers of any shape and load optional tools lazily.
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
