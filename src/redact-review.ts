/**
 * The last step of a review: every text that can carry a file's content (finding messages and the
 * values they quote, suppression reasons, parse errors, gate reasons) with credentials redacted, so
 * no check run, annotation, comment, issue, SARIF or terminal report repeats a secret a file holds.
 * Paths and fingerprints stay exact: GitHub anchors on them.
 */
import type { Finding, FixedFinding, Review } from './model.js';
import { redact } from './redact.js';

function redactFinding<F extends Finding | FixedFinding>(f: F): F {
  const message = redact(f.message);
  const address = redact(f.address);
  const attribute = f.attribute === null ? null : redact(f.attribute);
  const reason = f.suppression ? redact(f.suppression.reason) : undefined;
  const replacement = f.fix ? redact(f.fix.replacement) : undefined;
  if (
    message === f.message &&
    address === f.address &&
    attribute === f.attribute &&
    reason === f.suppression?.reason &&
    replacement === f.fix?.replacement
  ) {
    return f;
  }
  const out: F = { ...f, message, address, attribute };
  if (f.suppression && reason !== undefined) out.suppression = { ...f.suppression, reason };
  if (f.fix && replacement !== undefined) out.fix = { ...f.fix, replacement };
  return out;
}

export function redactReview(review: Review): Review {
  return {
    ...review,
    gate: { ...review.gate, reasons: review.gate.reasons.map(redact) },
    findings: review.findings.map(redactFinding),
    ...(review.fixed ? { fixed: review.fixed.map(redactFinding) } : {}),
    suppressionProblems: review.suppressionProblems.map((p) => ({ ...p, message: redact(p.message) })),
    stats: { ...review.stats, notReviewed: review.stats.notReviewed.map((n) => ({ ...n, reason: redact(n.reason) })) },
  };
}
