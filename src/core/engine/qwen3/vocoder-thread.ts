// The vocoder in a worker thread, so a chunk is decoded while the talker and code predictor go on with the
// next frames (onnxruntime-node runs a graph synchronously on the calling thread). Opt-in: on the 2-core
// test machine the overlap measured no faster than taking turns (both want the same two cores); it is for
// machines with cores to spare (BENCHMARKS.md, Engine).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';

/** What the worker reports about its session, enough for checkGraph. */
export interface SessionShape {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly unknown[];
  outputMetadata?: readonly unknown[];
}

type Reply = { id: number; wave: Float32Array } | { id: number; error: string };

// Plain CommonJS evaluated in the worker: no build step, no path to a second bundle to get right.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
ort.InferenceSession.create(workerData.file, workerData.options).then((session) => {
  const plain = (m) => m.map((x) => ({ name: x.name, isTensor: x.isTensor, type: x.type, shape: x.shape }));
  parentPort.postMessage({ ready: { inputNames: session.inputNames, outputNames: session.outputNames,
    inputMetadata: plain(session.inputMetadata || []), outputMetadata: plain(session.outputMetadata || []) } });
  parentPort.on('message', (m) => {
    if (m.close) return session.release().finally(() => parentPort.close());
    session.run({ codes: new ort.Tensor('int64', m.codes, [1, m.groups, m.frames]) }).then(
      (out) => { const wave = out.waveform.data; parentPort.postMessage({ id: m.id, wave }, [wave.buffer]); },
      (err) => parentPort.postMessage({ id: m.id, error: String(err && err.message || err) }),
    );
  });
}, (err) => parentPort.postMessage({ failed: String(err && err.message || err) }));
`;

export class VocoderThread {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (w: Float32Array) => void; reject: (e: Error) => void }>();
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly session: SessionShape,
  ) {
    worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(m.error));
      else w.resolve(m.wave);
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the vocoder thread exited (${code})`)));
  }

  /** Loads `file` in a new worker thread; rejects with ORT's message if it cannot. */
  static start(file: string, options: ort.InferenceSession.SessionOptions): Promise<VocoderThread> {
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    const worker = new Worker(WORKER, { eval: true, workerData: { ort: ortPath, file, options } });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      worker.once('error', onError);
      worker.once('message', (m: { ready?: SessionShape; failed?: string }) => {
        worker.off('error', onError);
        if (m.ready) resolve(new VocoderThread(worker, m.ready));
        else {
          void worker.terminate();
          reject(new Error(m.failed ?? 'the vocoder thread did not start'));
        }
      });
    });
  }

  /** Decodes codes [1, groups, frames] (codebook-major); the codes buffer is handed to the worker. */
  run(codes: BigInt64Array, groups: number, frames: number): Promise<Float32Array> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, codes, groups, frames }, [codes.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ close: true });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.worker.terminate();
  }
}
