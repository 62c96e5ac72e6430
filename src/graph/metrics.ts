// The text metrics the layout sizes nodes by and the SVG draws with, in one place so a node's box
// always fits its text. A monospace font: its width per character is known without a DOM (about
// 0.6 em in DejaVu Sans Mono, Menlo and Liberation Mono; Consolas is narrower, so still fits).
export const FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

/** Node text: size, line height and a character's width, in SVG user units. */
export const NODE_TEXT = { size: 12, lineHeight: 15, charWidth: 12 * 0.61 };
/** Edge labels are smaller. */
export const LABEL_TEXT = { size: 10, lineHeight: 12, charWidth: 10 * 0.61 };
/** Space between a node's border and its text. */
export const NODE_PADDING = { x: 10, y: 7 };
/** Height of a world's title inside its group box. */
export const GROUP_TITLE = 24;

/** The width of a line of text. */
export const textWidth = (text: string, font: { charWidth: number } = NODE_TEXT) => Math.ceil(text.length * font.charWidth);

/** A node is at least this many characters wide: the words a live state puts on a node
 *  (`follower`, `disconnected`, `dead`, `master ctrl2`) then never change its size, so a graph
 *  redrawn with new state, or drawn before its members' roles are read, needs no new layout. */
const MIN_CHARS = 12;

/** The box a node's lines need. */
export function nodeBox(lines: readonly string[]): { width: number; height: number } {
  const widest = Math.max(textWidth('m'.repeat(MIN_CHARS)), ...lines.map((l) => textWidth(l)));
  return {
    width: widest + 2 * NODE_PADDING.x,
    height: Math.max(1, lines.length) * NODE_TEXT.lineHeight + 2 * NODE_PADDING.y,
  };
}
