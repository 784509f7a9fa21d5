/** Raised by the parsers and the converters; format modules turn it into a ParseError with its line. */
export class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}
