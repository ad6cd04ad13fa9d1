/**
 * Escaping for the HTML report. Node names, group names, rule descriptions, Terraform addresses:
 * nearly every string in a report came from input that someone else controls, so every value
 * goes through one of these two functions on its way into the page, and the renderers never
 * concatenate a raw value.
 */

const TEXT: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE: Readonly<Record<string, string>> = { ...TEXT, '"': '&quot;', "'": '&#39;' };

/** Text between tags (element content). */
export function escapeText(value: string | number): string {
  return String(value).replace(/[&<>]/g, (c) => TEXT[c]!);
}

/**
 * An attribute value. The renderers always double-quote attributes; single quotes are escaped
 * too so that a value stays inert wherever it is placed.
 */
export function escapeAttribute(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ATTRIBUTE[c]!);
}
