/**
 * Reads the marked parts of README.md, so tests run what the README says, not a copy of it:
 * `<!-- readme:command NAME -->` and `<!-- readme:output NAME -->` before a fenced block,
 * `<!-- readme:library -->` before the library example, and the permissions table between
 * `<!-- readme:permissions begin -->` and `<!-- readme:permissions end -->`.
 */

/** The README's path in this checkout. */
export const README = new URL("../README.md", import.meta.url);

/** The text of the fenced block that follows `<!-- readme:MARK -->`. */
export function markedBlock(readme: string, mark: string): string {
  const at = readme.indexOf(`<!-- readme:${mark} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- readme:${mark} --> marker`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at));
  if (m === null) throw new Error(`README.md has no code block after readme:${mark}`);
  return m[1]!;
}

/** One row of the permissions table: what it is and the command, `\|` unescaped. */
export interface PermissionRow {
  mode: string;
  command: string;
}

/** The rows of the permissions table. */
export function permissionRows(readme: string): PermissionRow[] {
  const begin = readme.indexOf("<!-- readme:permissions begin -->");
  const end = readme.indexOf("<!-- readme:permissions end -->");
  if (begin < 0 || end < begin) throw new Error("README.md has no marked permissions table");
  const rows: PermissionRow[] = [];
  for (const line of readme.slice(begin, end).split("\n")) {
    const m = /^\|\s*(.+?)\s*\|\s*`(.+)`\s*\|$/.exec(line);
    if (m !== null) rows.push({ mode: m[1]!, command: m[2]!.replaceAll("\\|", "|") });
  }
  return rows;
}
