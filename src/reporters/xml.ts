// Just enough XML for JUnit reports: escaped text and attributes, elements built as strings.

// ANSI colour codes and characters XML 1.0 does not allow (command output may hold both).
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex
const INVALID = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g;

function clean(text: string): string {
  return text.replace(ANSI, '').replace(INVALID, '');
}

export function escapeText(text: string): string {
  return clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

export type Attributes = Record<string, string | number | undefined>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
}

/** `<name attrs/>`, or with children (already XML) indented under it. */
export function element(name: string, attrs: Attributes, children: readonly string[] = [], indent = ''): string {
  if (children.length === 0) return `${indent}<${name}${attributes(attrs)}/>`;
  return [`${indent}<${name}${attributes(attrs)}>`, ...children, `${indent}</${name}>`].join('\n');
}

/** `<name attrs>text</name>` on one line. */
export function textElement(name: string, attrs: Attributes, text: string, indent = ''): string {
  return `${indent}<${name}${attributes(attrs)}>${escapeText(text)}</${name}>`;
}
