/** A document q3tts cannot read (damaged, encrypted, image-only, not what its name says): the message says why. */
export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentError';
  }
}
