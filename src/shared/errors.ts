// What went wrong, as text, whatever was thrown: an Error's message, or the thrown value itself.
// (`(err as Error).message` prints "undefined" when a string or an object is thrown.)

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string')
    return (err as { message: string }).message;
  return String(err);
}

/** For logs: the stack when there is one, else the message. */
export function errorDetail(err: unknown): string {
  return err instanceof Error && err.stack ? err.stack : errorMessage(err);
}
