/**
 * Where a review worker says which file it is on, without a message per file: a small shared
 * buffer holding a counter, the step and the path. The worker writes it before each file's parse
 * and evaluation (a few hundred nanoseconds); the runner reads it only when the counter has not
 * moved for longer than the time budget, when the worker is stuck on that file and the buffer is
 * still.
 */
import type { ReviewStep as Step } from '../review.js';

/** Longest path kept (in UTF-16 code units); longer ones are cut, which only shortens a message. */
const MAX_PATH = 4096;
const HEADER = 3; // [counter, step, path length]
const STEPS: readonly Step[] = ['parse', 'evaluate', 'repository', 'finish'];

export function progressBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (HEADER + MAX_PATH));
}

/** The worker's side: records the unit it starts. */
export function progressWriter(buffer: SharedArrayBuffer): (path: string, step: Step) => void {
  const cells = new Int32Array(buffer);
  return (path, step) => {
    const n = Math.min(path.length, MAX_PATH);
    for (let i = 0; i < n; i++) cells[HEADER + i] = path.charCodeAt(i);
    cells[1] = STEPS.indexOf(step);
    cells[2] = n;
    Atomics.add(cells, 0, 1);
  };
}

/** The runner's side. */
export class ProgressReader {
  readonly #cells: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.#cells = new Int32Array(buffer);
  }
  /** Moves every time the worker starts a unit. */
  counter(): number {
    return Atomics.load(this.#cells, 0);
  }
  /** The unit the worker is on (null before its first unit). */
  current(): { path: string; step: Step } | null {
    if (this.counter() === 0) return null;
    const n = this.#cells[2]!;
    let path = '';
    for (let i = 0; i < n; i += 1024) path += String.fromCharCode(...this.#cells.subarray(HEADER + i, HEADER + Math.min(n, i + 1024)));
    return { path, step: STEPS[this.#cells[1]!] ?? 'parse' };
  }
  reset(): void {
    Atomics.store(this.#cells, 0, 0);
  }
}
