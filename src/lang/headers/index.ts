// The built-in headers by the name used in `#include <name>`.
const HEADERS: Record<string, string> = {};

export function builtinHeader(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HEADERS, name) ? HEADERS[name] : undefined;
}

export function builtinHeaderNames(): string[] {
  return Object.keys(HEADERS);
}
