// The daemon's front doors as status, the tray and the window show them (docs/doors.md). Plain types: the
// window's type check reads this file.

/** An open front door of the daemon. */
export type DoorInfo = {
  door: 'openai-http' | 'wyoming';
  /** Where clients reach it, e.g. "http://127.0.0.1:8880" or "tcp://127.0.0.1:10200". */
  address: string;
  /** Whether requests need the bearer token. */
  auth: boolean;
};
