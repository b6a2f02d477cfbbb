/**
 * Every relative link in README.md and docs/**\/*.md points at a file that exists, and every `#anchor` at a
 * heading of the target page (GitHub's heading slugs). Links inside code blocks and inline code are not links.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The text outside fenced code blocks. */
function outsideFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** The text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return outsideFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  // Inline code stays: GitHub keeps its text in the anchor (`## The \`x\` command` → #the-x-command).
  const headings = outsideFences(readFileSync(file, 'utf8')).match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((heading) => slug(heading.replace(/^#+ /, ''))));
}

/** Relative link targets of a page: `[text](target)` and `[text]: target`, without external URLs. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] ?? '');
  const reference = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((match) => match[1] ?? '');
  return [...inline, ...reference].filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

/** Problems with one page's links: missing files and unknown anchors. */
function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const target of links(readFileSync(file, 'utf8'))) {
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? file : join(dirname(file), decodeURIComponent(path));
    if (!existsSync(resolved)) {
      problems.push(`${relative(root, file)}: ${target} (no such file)`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile() && !anchors(resolved).has(anchor)) {
      problems.push(`${relative(root, file)}: ${target} (no such heading)`);
    }
  }
  return problems;
}

const pages = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];

describe('documentation links', () => {
  it('every relative link in README.md and docs/ resolves, anchors included', () => {
    expect(pages.length).toBeGreaterThan(10);
    expect(pages.flatMap(brokenLinks)).toEqual([]);
  });

  it('the check finds a broken link and a broken anchor, and ignores code and external URLs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locksmith-links-'));
    try {
      const page = join(dir, 'page.md');
      writeFileSync(join(dir, 'other.md'), '# Other page\n\n## What counts\n');
      writeFileSync(
        page,
        '# Page\n[ok](other.md#what-counts) [self](#page) [gone](missing.md) [bad anchor](other.md#nothing)\n' +
          '`[code](code.md)` [web](https://example.test/x.md)\n```md\n[fenced](fenced.md)\n```\n',
      );
      expect(brokenLinks(page).map((problem) => problem.slice(problem.indexOf(': ') + 2))).toEqual([
        'missing.md (no such file)',
        'other.md#nothing (no such heading)',
      ]);
      expect(slug('`locksmith lint`: the rules as a CI gate')).toBe('locksmith-lint-the-rules-as-a-ci-gate');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
