/**
 * GitHub refuses an issue or pull-request comment body over 65,536 characters. A plan of a large stack
 * (hundreds of lines or violations) must still post, so long lists are cut to fit, each with a count of what
 * was left out; the full detail is in the JSON report.
 */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Room kept for what a posting action adds around the body (sticky-comment markers, job summary framing). */
const MARGIN = 1_536;

export interface ListBlock {
    head: string[];
    rows: string[];
    tail: string[];
    /** The line that replaces the rows cut: "… and 12 more lines". */
    more: (left: number) => string;
}

export type Block = string[] | ListBlock;

const isList = (b: Block): b is ListBlock => !Array.isArray(b);
const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);
const MORE_RESERVE = 120;

/** Join the blocks into a body of at most `limit` characters, cutting list rows fairly across lists in order. */
export function fitMarkdown(blocks: readonly Block[], limit = GITHUB_COMMENT_LIMIT - MARGIN): string {
    const fixed = blocks.reduce((n, b) => n + (isList(b) ? size(b.head) + size(b.tail) + MORE_RESERVE : size(b)), 0);
    let remaining = limit - fixed;
    let listsLeft = blocks.filter(isList).length;
    const out: string[] = [];
    for (const b of blocks) {
        if (!isList(b)) {
            out.push(...b);
            continue;
        }
        const share = Math.max(0, Math.floor(remaining / listsLeft));
        let used = 0, shown = 0;
        while (shown < b.rows.length && used + b.rows[shown].length + 1 <= share) used += b.rows[shown++].length + 1;
        out.push(...b.head, ...b.rows.slice(0, shown));
        if (shown < b.rows.length) out.push(b.more(b.rows.length - shown));
        out.push(...b.tail);
        remaining -= used;
        listsLeft--;
    }
    const body = out.join("\n") + "\n";
    // Fixed parts alone over the limit (thousands of teams): cut hard rather than have GitHub refuse the comment.
    return body.length <= limit ? body : `${body.slice(0, limit - 80)}\n\n… cut at ${limit} characters; see the JSON report.\n`;
}
