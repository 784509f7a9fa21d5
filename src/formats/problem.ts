/** Raised by the parsers and the converters; format modules turn it into a ParseError with its line. */
export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/**
 * What a parser read past instead of giving up on the file, as the tools that consume the file do:
 * a key set twice in one mapping (the last value wins, as in PyYAML and CloudFormation's reader),
 * a document of a multi-document stream that does not parse (the others are read). Collected while
 * a format module parses (common.ts guard) into the document's `meta.parseNotes`; the review reports
 * them as findings (review.ts).
 */
export interface ParseNote {
  note: 'duplicate-key' | 'broken-document';
  line: number;
  /** What was read past: the key set twice, or the parser's message for the broken document. */
  message: string;
}

let notes: ParseNote[] | undefined;

/** Records a note for the parse under way (none is under way: the note is dropped). */
export function noteParse(n: ParseNote): void {
  notes?.push(n);
}

/** Runs a parse, returning what it noted. Synchronous, so one parse at a time. */
export function collectingNotes<T>(fn: () => T): { result: T; notes: ParseNote[] } {
  const outer = notes;
  const mine: ParseNote[] = [];
  notes = mine;
  try {
    return { result: fn(), notes: mine };
  } finally {
    notes = outer;
  }
}
