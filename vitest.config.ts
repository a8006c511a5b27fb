import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Nothing a test does lands in the user's own data directory (the daemon keeps speed.json there) ...
    env: {
      Q3TTS_DATA_DIR: path.join(os.tmpdir(), `q3tts-test-data-${process.pid}`),
      // ... nor in the user's cache (the daemon's history of utterances)
      Q3TTS_CACHE_DIR: path.join(os.tmpdir(), `q3tts-test-cache-${process.pid}`),
    },
    // electron-store imports 'electron' itself: inlined, so test files' vi.mock('electron') reaches it too.
    server: { deps: { inline: ['electron-store'] } },
  },
});
