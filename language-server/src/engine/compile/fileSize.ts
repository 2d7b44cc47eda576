// The file-size limit (`iommuLens.maxFileSize` in the editor): a larger file is analysed in part,
// up to its last whole line within the limit (no statement is cut), with one notice. The language
// server cuts its own view of the document with the same function.

/** Without an explicit limit, files up to this size are analysed whole. */
export const DEFAULT_MAX_FILE_SIZE = 64_000_000;

/** The part of `text` that is analysed: whole lines (with their line ends) within `max` characters. */
export function cutToSize(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(text.lastIndexOf('\n', max - 1) + 1, 0));
}

/** The I_PARTIAL notice: `lines` is the number of whole lines analysed. */
export function partialNotice(fullLength: number, max: number, lines: number): string {
  return `This file (${fullLength} characters) is larger than iommuLens.maxFileSize (${max}): ` +
    (lines > 0 ? `only lines 1-${lines} were analysed.` : 'nothing was analysed (no line ends within the limit).');
}
