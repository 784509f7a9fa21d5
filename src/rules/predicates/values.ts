/**
 * Values as predicates read and show them: numbers written as strings, equality that forgives how a
 * format spells a value, and the short renderings that go into evidence and messages.
 */
import type { Node, Scalar } from '../../model.js';
import { nodeText } from '../../formats/tree.js';

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number, or a string that is one ("3600" in CloudFormation). */
export function toNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v.trim());
  return undefined;
}

/**
 * Equality that forgives how a format spells a value: CloudFormation and YAML write `true` and
 * `"true"`, `2` and `"2"` for the same property. Strings compare case-sensitively (SageMaker enums
 * such as `Approved` are case-sensitive).
 */
export function looseEquals(a: Scalar, b: Scalar): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a === typeof b) return false;
  const s = typeof a === 'string' ? a : typeof b === 'string' ? b : undefined;
  const o = s === a ? b : a;
  if (s === undefined) return false;
  if (typeof o === 'number') return toNumber(s) === o;
  if (typeof o === 'boolean') return s.trim().toLowerCase() === String(o);
  return false;
}

export function text(v: Scalar): string {
  return v === null ? '' : String(v);
}

const ACTUAL_BUDGET = 80;

export function renderActual(node: Node): string {
  // A symbol shows as written (`var.size`, `!Ref Key`), not as a quoted string.
  if (node.type === 'symbolic') return node.expr.length > ACTUAL_BUDGET ? node.expr.slice(0, ACTUAL_BUDGET - 1) + '…' : node.expr;
  return nodeText(node, ACTUAL_BUDGET);
}

export function renderScalar(v: Scalar): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function joinWritten(base: string, path: string): string {
  if (path === '.') return base || '.';
  if (!base) return path;
  return path.startsWith('[') ? base + path : `${base}.${path}`;
}
