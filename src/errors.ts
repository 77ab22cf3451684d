/**
 * A problem the user can fix (a missing tool, a port in use, an unreadable file), as opposed to a
 * bug. The CLI prints its message, which must say what is wrong and how to fix it, with no stack.
 */
export class UserError extends Error {
  override name = "UserError";
}

/** Why a listen/bind failed, in words: "address already in use" rather than an errno. */
export function listenFailure(what: string, address: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const text = String((error as Error).message ?? error);
  const reason = code === "EADDRINUSE" || /EADDRINUSE|address already in use/i.test(text)
    ? "the port is already in use"
    : code === "EACCES" || /EACCES/.test(text)
      ? "permission denied (ports below 1024 need privileges)"
      : /resolution|ENOTFOUND|EADDRNOTAVAIL|Cannot assign requested address/i.test(text)
        ? "that address is not one of this machine's"
        : text.split("\n")[0];
  return new UserError(`cannot listen for ${what} on ${address}: ${reason}; choose another address or port`);
}
