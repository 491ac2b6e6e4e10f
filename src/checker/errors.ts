/** Bad usage, bad configuration, a missing or broken tsconfig: told in one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
