// isTrustedSender's URL check: only a main frame of our window on app://ui.
import { describe, expect, it, vi } from 'vitest';
vi.mock('electron', () => import('../../mocks/electron.js'));
const { WebContentsMock } = await import('../../mocks/electron.js');
const { isTrustedSender } = await import('../../../src/main/electron/ipc.js');

const ours = new WebContentsMock();
const from = (url: string) =>
  isTrustedSender({ sender: ours, senderFrame: { url, parent: null } } as never, [ours as never]);

describe('trusted sender', () => {
  it('compares scheme and host: Node\'s URL gives app:// the origin "null"', () => {
    expect(new URL('app://ui/index.html').origin).toBe('null'); // why origin cannot be compared
    for (const url of ['app://ui/index.html', 'app://ui/index.html#settings', 'app://ui/'])
      expect(from(url), url).toBe(true);
  });

  it.each([
    'app://ui.evil.example/index.html',
    'app://uix/index.html',
    'app://evil@ui.example/',
    'app://ui:8080/index.html',
    'app://evil/ui/index.html',
    'app:ui/index.html',
    'https://ui/index.html',
    'about:blank',
    'null',
    '',
  ])('refuses %s', (url) => {
    expect(from(url)).toBe(false);
  });
});
