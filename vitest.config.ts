import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // electron-store imports 'electron' itself: inlined, so test files' vi.mock('electron') reaches it too.
    server: { deps: { inline: ['electron-store'] } },
  },
});
