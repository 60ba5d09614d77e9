/**
 * Bidirectional control characters that change how the text around them is laid out: the
 * embeddings and overrides (U+202A–U+202E) and the isolates (U+2066–U+2069). In a title or a post
 * they let one text be shown as another ("evil" written backwards behind U+202E reads as "live"),
 * so they are stripped from everything people post, on the device and on the server, and from
 * every public text the device receives. The marks U+200E/U+200F stay: they only nudge the
 * direction of neutral characters, which right-to-left writers need. The PWA also shows every
 * user text in bidi isolation (<bdi> or dir="auto"), so a text cannot reorder what is around it.
 * Pure: no DOM, no Node APIs.
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
