/**
 * The README's rules table and every rule page's header are what eslint-doc-generator makes of the plugin's
 * rule metadata (`npm run docs` regenerates them). eslint-doc-generator loads the built plugin
 * (`docs/plugin-entry/`), which `npm test` builds first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import plugin from 'locksmith-js/eslint-plugin';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('rule docs', () => {
  it('every rule has a docs page linked from meta.docs.url, and every page a rule', () => {
    const pages = readdirSync(`${root}docs/rules`).filter((file) => file.endsWith('.md'));
    expect(pages.sort()).toEqual(Object.keys(plugin.rules).map((id) => `${id}.md`).sort());
    for (const [id, rule] of Object.entries(plugin.rules)) {
      expect(rule.meta?.docs?.url).toBe(`https://github.com/locksmith-js/locksmith/blob/main/docs/rules/${id}.md`);
      expect(existsSync(`${root}docs/rules/${id}.md`)).toBe(true);
    }
  });

  it('the README rules table and the page headers are up to date (npm run docs:check)', () => {
    let output: string;
    let status = 0;
    try {
      output = execFileSync('npm', ['run', '--silent', 'docs:check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const failure = error as { status: number; stdout: string; stderr: string };
      status = failure.status;
      output = `${failure.stdout}\n${failure.stderr}`;
    }
    expect(status, output).toBe(0);
    expect(readFileSync(`${root}README.md`, 'utf8')).toContain('[require-release-in-finally](docs/rules/require-release-in-finally.md)');
  });
});
