/**
 * `npm run bench:lint`: what the locksmith plugin adds to an ESLint run. A benchmark, not a test: it asserts
 * nothing, it prints a Markdown report (bench/LINT.md keeps one, with its reading).
 *
 * 1. Overhead ratio: ESLint with `eslint:recommended` alone vs the same plus every locksmith rule (the strict
 *    config), on the third-party corpus and on the lock-heavy corpus. Both configs run in this one process,
 *    alternating, so load on a shared machine hits both alike; the ratio is taken per adjacent pair.
 * 2. Per-rule cost: ESLint's `stats` (what `TIMING=all` prints), each locksmith rule next to the median rule of
 *    `eslint:recommended`, summed over a corpus.
 * 3. Warm re-lint: `new ESLint(…).lintText()` of one edited ~300-line lock-heavy file, many times in a warm
 *    process (what an editor's ESLint server does on a keystroke), p50/p95.
 *
 * Options: `--quick` (fewer repetitions), `--pairs=N`, `--copies=N` (fixture copies), `--relints=N`.
 * The plugin is loaded from `dist/` (rebuilt when `rules/` or `src/` is newer), as users run it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import js from '@eslint/js';
import * as tsParser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { DIST_PLUGIN_ENTRY, ensureBuilt } from '../build.js';
import { percentile } from '../stats.js';
import { editedFile, lockHeavyCorpus, THIRD_PARTY_FILES, THIRD_PARTY_PACKAGES, thirdPartyCorpus, type Corpus } from './corpus.js';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key ?? '', value ?? 'true'] as const;
  }),
);
const quick = args.has('quick');
const PAIRS = Number(args.get('pairs') ?? (quick ? 1 : 3));
const COPIES = Number(args.get('copies') ?? 50);
const RELINTS = Number(args.get('relints') ?? (quick ? 100 : 400));
const WARMUP_RELINTS = 40;

const log = (line: string) => process.stderr.write(`${line}\n`);
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const ratio = (value: number) => `${value.toFixed(3)}×`;
const median = (values: readonly number[]) => percentile(values, 50);

interface Plugin {
  configs: { strict: Linter.Config };
}

const LINTED = ['**/*.{js,mjs,cjs,ts,mts,cts}'];

/** ESLint's own recommended rules, with the parser the plugin's configs set (so both sides parse alike). */
const core: Linter.Config = {
  name: 'eslint:recommended + @typescript-eslint/parser',
  files: LINTED,
  languageOptions: { parser: tsParser as Linter.Parser },
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: js.configs.recommended.rules,
};

/** The third-party corpus lives under node_modules, which ESLint ignores by default. */
const LINT_NODE_MODULES: Linter.Config = { ignores: ['!**/node_modules/'] };

function eslintFor(cwd: string, config: Linter.Config[], stats = false): ESLint {
  return new ESLint({ cwd, overrideConfigFile: true, overrideConfig: [LINT_NODE_MODULES, ...config], stats });
}

async function timeLint(eslint: ESLint, corpus: Corpus): Promise<{ ms: number; results: ESLint.LintResult[] }> {
  const start = performance.now();
  const results = await eslint.lintFiles([...corpus.files]);
  const elapsed = performance.now() - start;
  const skipped = results.filter((result) => result.messages.some((m) => m.ruleId === null && /^File ignored/.test(m.message)));
  if (skipped.length > 0) throw new Error(`ESLint skipped ${skipped.length} files, e.g. ${skipped[0]?.filePath}`);
  return { ms: elapsed, results };
}

interface Overhead {
  readonly without: number[];
  readonly with: number[];
  readonly ratios: number[];
  readonly fatal: number;
  readonly locksmithFindings: number;
}

/** Alternates the two configs (which goes first alternates too) after one warm-up lint. */
async function overhead(corpus: Corpus, plugin: Plugin, pairs: number): Promise<Overhead> {
  const base = eslintFor(corpus.cwd, [core]);
  const full = eslintFor(corpus.cwd, [core, plugin.configs.strict]);
  // One warm-up lint (ESLint, the parser and the plugin share it; which config goes first then alternates).
  const warm = await timeLint(full, corpus);
  const fatal = warm.results.reduce((sum, result) => sum + result.messages.filter((m) => m.fatal).length, 0);
  const locksmithFindings = warm.results.reduce(
    (sum, result) => sum + result.messages.filter((m) => m.ruleId?.startsWith('locksmith/')).length,
    0,
  );
  const result: Overhead = { without: [], with: [], ratios: [], fatal, locksmithFindings };
  for (let pair = 0; pair < pairs; pair += 1) {
    const order = pair % 2 === 0 ? [base, full] : [full, base];
    let without = 0;
    let withPlugin = 0;
    for (const eslint of order) {
      const { ms: elapsed } = await timeLint(eslint, corpus);
      if (eslint === base) without = elapsed;
      else withPlugin = elapsed;
    }
    result.without.push(without);
    result.with.push(withPlugin);
    result.ratios.push(withPlugin / without);
    log(`  pair ${pair + 1}/${pairs}: without ${ms(without)}, with ${ms(withPlugin)}, ratio ${ratio(withPlugin / without)}`);
  }
  return result;
}

/** Milliseconds per rule over the corpus, from ESLint's `stats`. */
async function ruleTimes(corpus: Corpus, plugin: Plugin): Promise<Map<string, number>> {
  const { results } = await timeLint(eslintFor(corpus.cwd, [core, plugin.configs.strict], true), corpus);
  const times = new Map<string, number>();
  for (const result of results) {
    for (const pass of result.stats?.times.passes ?? []) {
      for (const [rule, time] of Object.entries(pass.rules ?? {})) times.set(rule, (times.get(rule) ?? 0) + time.total);
    }
  }
  return times;
}

function ruleTable(times: Map<string, number>): { table: string; worstLocksmith: number; medianCore: number } {
  const coreRules = Object.keys(js.configs.recommended.rules);
  const coreTimes = coreRules.map((rule) => times.get(rule) ?? 0);
  const medianCore = median(coreTimes);
  const maxCore = Math.max(...coreTimes);
  const costliest = coreRules[coreTimes.indexOf(maxCore)] ?? '?';
  const locksmith = [...times].filter(([rule]) => rule.startsWith('locksmith/')).sort((a, b) => b[1] - a[1]);
  const rows = locksmith.map(([rule, time]) => `| \`${rule}\` | ${ms(time)} | ${ratio(time / medianCore)} |`);
  const table = [
    `| rule | time | vs median core rule |`,
    `| --- | --- | --- |`,
    ...rows,
    `| median of the ${coreRules.length} \`eslint:recommended\` rules | ${ms(medianCore)} | 1× |`,
    `| costliest core rule (\`${costliest}\`) | ${ms(maxCore)} | ${ratio(maxCore / medianCore)} |`,
  ].join('\n');
  return { table, worstLocksmith: Math.max(...locksmith.map(([, time]) => time)), medianCore };
}

interface Relint {
  readonly name: string;
  readonly samples: number[];
}

/** Re-lints the edited file as an editor does: one warm ESLint per config, a different edit each time. */
async function relint(dir: string, plugin: Plugin): Promise<Relint[]> {
  const { path, text } = editedFile(dir);
  const configs: [string, Linter.Config[]][] = [
    ['locksmith strict config alone', [plugin.configs.strict]],
    ['eslint:recommended', [core]],
    ['eslint:recommended + locksmith strict', [core, plugin.configs.strict]],
  ];
  const runs = configs.map(([name, config]) => ({ name, eslint: eslintFor(dir, config), samples: [] as number[] }));
  const lines = text.split('\n');
  for (let i = 0; i < WARMUP_RELINTS + RELINTS; i += 1) {
    // A keystroke: one line of the file changes (a comment, so the findings stay the same).
    const edited = [...lines];
    const at = (i * 37) % lines.length;
    edited[at] = `${lines[at] ?? ''} // edit ${i}`;
    const source = edited.join('\n');
    for (const run of runs) {
      const start = performance.now();
      await run.eslint.lintText(source, { filePath: path });
      if (i >= WARMUP_RELINTS) run.samples.push(performance.now() - start);
    }
  }
  return runs.map(({ name, samples }) => ({ name, samples }));
}

function overheadRow(name: string, corpus: Corpus, result: Overhead): string {
  const sorted = [...result.ratios].sort((a, b) => a - b);
  return `| ${name} | ${corpus.files.length} files, ${(corpus.lines / 1000).toFixed(0)} k lines | ${ms(median(result.without))} | ${ms(median(result.with))} | **${ratio(median(result.ratios))}** | ${ratio(sorted[0] ?? NaN)} – ${ratio(sorted.at(-1) ?? NaN)} | ${result.locksmithFindings} | ${result.fatal} |`;
}

async function main(): Promise<void> {
  log(`dist/: ${ensureBuilt(DIST_PLUGIN_ENTRY, ['rules', 'src'])}`);
  const plugin = ((await import(pathToFileURL(DIST_PLUGIN_ENTRY).href)) as { default: Plugin }).default;
  const started = new Date();
  const loadBefore = loadavg();
  const temp = mkdtempSync(join(tmpdir(), 'locksmith-bench-lint-'));
  try {
    const thirdParty = thirdPartyCorpus();
    const lockHeavy = lockHeavyCorpus(join(temp, 'lock-heavy'), COPIES);

    log(`third-party corpus: ${thirdParty.files.length} files, ${thirdParty.lines} lines; ${PAIRS} pairs`);
    const thirdPartyOverhead = await overhead(thirdParty, plugin, PAIRS);
    log(`lock-heavy corpus: ${lockHeavy.files.length} files, ${lockHeavy.lines} lines; ${PAIRS * 2} pairs`);
    const lockHeavyOverhead = await overhead(lockHeavy, plugin, PAIRS * 2);

    log('per-rule times (stats)');
    const thirdPartyRules = ruleTable(await ruleTimes(thirdParty, plugin));
    const lockHeavyRules = ruleTable(await ruleTimes(lockHeavy, plugin));

    log(`warm re-lint, ${RELINTS} runs per config`);
    const relints = await relint(join(temp, 'editor'), plugin);
    const loadAfter = loadavg();

    const out: string[] = [];
    out.push(
      `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}: ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? '?'}, Node ${process.version}, ESLint ${ESLint.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} at the end (1 / 5 / 15 min).`,
      '',
      `Third-party corpus: ${THIRD_PARTY_PACKAGES.join(', ')}, and ${THIRD_PARTY_FILES.join(', ')}.`,
      `Lock-heavy corpus: \`fixtures/\` copied ${COPIES} times.`,
      '',
      '### Overhead: eslint:recommended vs eslint:recommended + every locksmith rule (same process, alternating)',
      '',
      '| corpus | size | without (median) | with (median) | ratio (median of pairs) | ratio range | locksmith findings | parse errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      overheadRow('third-party', thirdParty, thirdPartyOverhead),
      overheadRow('lock-heavy', lockHeavy, lockHeavyOverhead),
      '',
      `Ratios per pair: third-party ${thirdPartyOverhead.ratios.map(ratio).join(', ')}; lock-heavy ${lockHeavyOverhead.ratios.map(ratio).join(', ')}.`,
      '',
      '### Per-rule time (ESLint `stats`, summed over the corpus), third-party corpus',
      '',
      thirdPartyRules.table,
      '',
      '### Per-rule time, lock-heavy corpus',
      '',
      lockHeavyRules.table,
      '',
      `### Warm re-lint of a ${editedFile(join(temp, 'editor')).text.split('\n').length}-line lock-heavy file (\`lintText\`, ${RELINTS} runs after ${WARMUP_RELINTS} warm-up runs, configs interleaved)`,
      '',
      '| config | p50 | p95 | min | max |',
      '| --- | --- | --- | --- | --- |',
      ...relints.map(
        ({ name, samples }) =>
          `| ${name} | **${ms(percentile(samples, 50))}** | ${ms(percentile(samples, 95))} | ${ms(Math.min(...samples))} | ${ms(Math.max(...samples))} |`,
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();
