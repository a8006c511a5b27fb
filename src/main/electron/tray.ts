// Renders a TrayModel (app/tray-model.ts) with Electron's Tray and Menu. Kept in a module variable by
// the caller, or the icon is garbage-collected. Clicks per platform: docs/decisions/0011-tray-per-platform.md.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import path from 'node:path';
import type { TrayAction, TrayModel } from '../app/tray-model.js';

export function trayIcon(iconDir: string, name: string, platform: NodeJS.Platform): NativeImage {
  // macOS wants a black template image that it tints for light and dark menu bars.
  if (platform === 'darwin') {
    const image = nativeImage.createFromPath(path.join(iconDir, 'trayTemplate.png'));
    image.setTemplateImage(true);
    return image;
  }
  return nativeImage.createFromPath(path.join(iconDir, `${name}.png`));
}

export function menuTemplate(
  model: Pick<TrayModel, 'items'>,
  onAction: (action: TrayAction) => void,
  onVoice: (voice: string | null) => void = () => undefined,
): MenuItemConstructorOptions[] {
  return model.items.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'info') return { label: item.label, enabled: false };
    if (item.kind === 'submenu')
      return { label: item.label, submenu: menuTemplate({ items: item.items }, onAction, onVoice) };
    if (item.kind === 'voice')
      return { label: item.label, type: 'radio', checked: item.checked, click: () => onVoice(item.voice) };
    return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
  });
}

/** What a click on the icon does: the window where the platform gives the click to the app, else the menu. */
export function clickOpensWindow(platform: NodeJS.Platform): boolean {
  // macOS shows the context menu on click and a menu-bar extra is expected to; Windows shows it on right
  // click only; on Linux the host decides and reports an "activation" as click.
  return platform !== 'darwin';
}

export class AppTray {
  private readonly tray: Tray;
  private icon = '';
  private tooltip: string | null = null;
  private menu: string | null = null;

  constructor(
    private readonly iconDir: string,
    private readonly onAction: (action: TrayAction) => void,
    private readonly platform: NodeJS.Platform = process.platform,
    /** A saved voice picked in the Voice submenu (null = the Settings' own voice). */
    private readonly onVoice: (voice: string | null) => void = () => undefined,
  ) {
    this.tray = new Tray(trayIcon(iconDir, 'tray-loading', platform));
    if (clickOpensWindow(platform)) this.tray.on('click', () => onAction('open-window'));
  }

  /** Touches Electron only for what changed: a new context menu closes an open one (electron/electron#4801). */
  render(model: TrayModel): void {
    if (model.icon !== this.icon) {
      this.icon = model.icon;
      if (this.platform !== 'darwin') this.tray.setImage(trayIcon(this.iconDir, model.icon, this.platform));
    }
    if (model.tooltip !== this.tooltip) {
      this.tooltip = model.tooltip;
      this.tray.setToolTip(model.tooltip);
    }
    const menu = JSON.stringify(model.items);
    if (menu !== this.menu) {
      this.menu = menu;
      // Linux shows changed items only when the menu is set again, so a change always sets a new one.
      this.tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(model, this.onAction, this.onVoice)));
    }
  }

  destroy(): void {
    this.tray.destroy();
  }
}
