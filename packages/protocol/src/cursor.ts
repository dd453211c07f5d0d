/**
 * Cursor positions on the wire are counted in Unicode code points (as Python
 * counts `str`); JavaScript strings index UTF-16 code units. These convert.
 */

/** The length of `text` in Unicode code points (an emoji counts 1, not 2). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** A UTF-16 index into `text` as a code point offset (for `cursorPos` from an editor). */
export function utf16ToCodePoint(text: string, index: number): number {
  return codePointLength(text.slice(0, Math.max(0, index)));
}

/** A code point offset into `text` (e.g. a reply's `cursor_start`) as a UTF-16 index for `text.slice`. */
export function codePointToUtf16(text: string, offset: number): number {
  let i = 0;
  for (let n = 0; n < offset && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}
