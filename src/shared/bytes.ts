// Sizes as people read them, the same in the CLI and the window: decimal units (as disks and download
// pages count), three significant digits at most.

/** 0 B, 999 B, 1.0 kB, 33.6 MB, 134 GB; negatives (a restarted file's correction) read as 0 B. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
