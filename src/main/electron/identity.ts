// Who the app is to the desktop. Both ids must match what the installers register (electron-builder.yml
// appId, package.json desktopName); test/repo/packaging.test.ts checks that they do.

/** Windows AppUserModelID: the NSIS shortcut carries electron-builder's appId, and notifications go by it. */
export const APP_ID = 'io.github.q3tts';
/** The .desktop file name: the portal's app id on Wayland (electron-builder linux.syncDesktopName). */
export const DESKTOP_NAME = `${APP_ID}.desktop`;
