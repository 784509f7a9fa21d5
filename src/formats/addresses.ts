/**
 * Addresses of targets read from code, stable across edits that do not rename: the enclosing
 * function and a name (`run_training.create_training_job`, `constructor.Config`), `#2` for the
 * second of the same name in the same function. Shared by the Python and TypeScript readers.
 */
/** Stable addresses: `<function>.<name>`, `#2` for a second one in the same function. */
export class Addresses {
  private readonly seen = new Map<string, number>();

  next(fn: string | undefined, name: string): string {
    const base = `${fn ?? '<module>'}.${name}`;
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  }
}
