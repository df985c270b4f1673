import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts', 'tests/support/peer-report.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
