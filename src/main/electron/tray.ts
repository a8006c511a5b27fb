// Renders a TrayModel (app/tray-model.ts) with Electron's Tray and Menu. Kept in a module variable by
// the caller, or the icon is garbage-collected.
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

export function menuTemplate(model: TrayModel, onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return model.items.map((item): MenuItemConstructorOptions => {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'info') return { label: item.label, enabled: false };
    return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
  });
}

export class AppTray {
  private readonly tray: Tray;
  private icon = '';

  constructor(
    private readonly iconDir: string,
    private readonly onAction: (action: TrayAction) => void,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.tray = new Tray(trayIcon(iconDir, 'tray-loading', platform));
    // Windows and macOS: a click opens the window. Linux (StatusNotifierItem) decides itself what a click is.
    this.tray.on('click', () => onAction('open-window'));
  }

  render(model: TrayModel): void {
    if (model.icon !== this.icon) {
      this.icon = model.icon;
      if (this.platform !== 'darwin') this.tray.setImage(trayIcon(this.iconDir, model.icon, this.platform));
    }
    this.tray.setToolTip(model.tooltip);
    // Linux needs the menu set again after any change.
    this.tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(model, this.onAction)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
