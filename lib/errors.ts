/**
 * A mistake in the user's input (a bad file, row, field or parameter), as opposed to a bug.
 * The CLI prints only its message (no stack trace) and exits non-zero. Messages name the
 * file / line / field so the user can fix the input.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
