/**
 * `npm run bench:lint`: what the locksmith plugin adds to an ESLint run. A benchmark, not a test: it asserts
 * nothing, it prints a Markdown report (bench/LINT.md keeps one, with its reading).
 *
 * 1. Overhead ratio: ESLint with `eslint:recommended` alone vs the same plus every locksmith rule (the strict
 *    config), on the third-party corpus and on the lock-heavy corpus. Both configs run in this one process,
 *    interleaved file by file (`lintText`), so load on a shared machine hits both alike; each ratio is given
 *    from the wall clock and from the process's CPU time (which time spent descheduled does not inflate).
 * 2. Per-rule cost: ESLint's `stats` (what `TIMING=all` prints), each locksmith rule next to the median rule of
 *    `eslint:recommended`, summed over a corpus.
 * 3. Warm re-lint: `new ESLint(…).lintText()` of one edited ~300-line lock-heavy file, many times in a warm
 *    process (what an editor's ESLint server does on a keystroke), p50/p95.
 *
 * Options: `--quick` (fewer repetitions), `--repetitions=N`, `--copies=N` (fixture copies), `--relints=N`,
 * `--skip-third-party` (the lock-heavy corpus and the re-lint only: a few minutes instead of most of an hour),
 * `--third-party-only` (its overhead and per-rule table only), `--without-largest` (the third-party corpus
 * without typescript.js, whose one 200 k-line file takes most of the time), `--sample=K` (every K-th
 * third-party file only). The full third-party corpus needs more than Node's default
 * heap (typescript.js parsed by three instances): the npm script raises it to 8 GB.
 * The plugin is loaded from `dist/` (rebuilt when `rules/` or `src/` is newer), as users run it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import js from '@eslint/js';
import * as tsParser from '@typescript-eslint/parser';
import { ESLint, type Linter } from 'eslint';
import { DIST_PLUGIN_ENTRY, ensureBuilt } from '../build.js';
import { percentile } from '../stats.js';
import { editedFile, lockHeavyCorpus, root, THIRD_PARTY_FILES, THIRD_PARTY_PACKAGES, thirdPartyCorpus, type Corpus } from './corpus.js';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key ?? '', value ?? 'true'] as const;
  }),
);
const quick = args.has('quick');
const REPETITIONS = Number(args.get('repetitions') ?? (quick ? 1 : 2));
const COPIES = Number(args.get('copies') ?? 50);
const RELINTS = Number(args.get('relints') ?? (quick ? 100 : 400));
const SKIP_THIRD_PARTY = args.has('skip-third-party');
/** Lint the third-party corpus only (no lock-heavy overhead, no re-lint). */
const THIRD_PARTY_ONLY = args.has('third-party-only');
/** Leave the largest files (`THIRD_PARTY_FILES`) out of the third-party corpus. */
const WITHOUT_LARGEST = args.has('without-largest');
/** Lint every SAMPLE-th file of the third-party corpus only (1: all of it). */
const SAMPLE = Number(args.get('sample') ?? 1);
const WARMUP_RELINTS = 40;
/** Files linted by every instance before the measured repetitions (JIT warm-up). */
const WARMUP_FILES = 100;

/** Files larger than this (characters) are linted on a freshly collected heap (typescript.js, 9 MB). */
const HUGE_FILE = 1_000_000;
/** A full garbage collection, when Node runs with `--expose-gc` (the npm script does). */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

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

interface Overhead {
  readonly without: number[];
  readonly with: number[];
  readonly ratios: number[];
  /**
   * The same ratio from the process's CPU time (user + system, `process.cpuUsage()`) instead of the wall clock:
   * time the process spends descheduled by other work on a shared machine counts on neither side.
   */
  readonly cpuRatios: number[];
  /** The same ratios over the corpus's largest files only (`largest`), and over all the other files. */
  readonly largestRatios: number[];
  readonly restRatios: number[];
  readonly cpuLargestRatios: number[];
  readonly cpuRestRatios: number[];
  fatal: number;
  locksmithFindings: number;
  /** Milliseconds per rule (ESLint `stats`), one map per repetition, from a third instance linting alongside. */
  readonly ruleTimes: Map<string, number>[];
  /** Load average (1 min) at the end of each repetition. */
  readonly loads: number[];
}

/**
 * Lints every file with both configs, one right after the other (which goes first alternates by file), so that
 * load from other work on the machine falls on both alike; a repetition's ratio is the sum of one over the sum
 * of the other. Each repetition also lints each file with a third instance that records `stats` (per-rule time).
 * A warm-up lints the first files with every instance first.
 */
async function overhead(
  corpus: Corpus,
  plugin: Plugin,
  repetitions: number,
  largest: ReadonlySet<string> = new Set(),
): Promise<Overhead> {
  const base = eslintFor(corpus.cwd, [core]);
  const full = eslintFor(corpus.cwd, [core, plugin.configs.strict]);
  const timed = eslintFor(corpus.cwd, [core, plugin.configs.strict], true);
  const texts = corpus.files.map((file) => readFileSync(file, 'utf8'));
  const lint = async (eslint: ESLint, index: number) => {
    const [result] = await eslint.lintText(texts[index] ?? '', { filePath: corpus.files[index] });
    if (!result) throw new Error(`no result for ${corpus.files[index]}`);
    if (result.messages.some((m) => m.ruleId === null && /^File ignored/.test(m.message))) {
      throw new Error(`ESLint ignored ${result.filePath}`);
    }
    return result;
  };
  for (let index = 0; index < Math.min(WARMUP_FILES, texts.length); index += 1) {
    for (const eslint of [base, full, timed]) await lint(eslint, index);
  }
  const result: Overhead = {
    without: [],
    with: [],
    ratios: [],
    cpuRatios: [],
    largestRatios: [],
    restRatios: [],
    cpuLargestRatios: [],
    cpuRestRatios: [],
    fatal: 0,
    locksmithFindings: 0,
    ruleTimes: [],
    loads: [],
  };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    // [without, with] over all files, over the largest files only, and CPU time over all files.
    const total = [0, 0];
    const large = [0, 0];
    const largeCpu = [0, 0];
    const cpu = [0, 0];
    const ruleTimes = new Map<string, number>();
    for (let index = 0; index < texts.length; index += 1) {
      const isLarge = largest.has(corpus.files[index] ?? '');
      const order = (index + repetition) % 2 === 0 ? [base, full] : [full, base];
      for (const eslint of order) {
        // A lint of a huge file leaves gigabytes of garbage; collected here, outside the timed region, it is not
        // charged to whichever lint happens to come next (the other config's lint of the same file).
        if ((texts[index]?.length ?? 0) > HUGE_FILE) collectGarbage();
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        const linted = await lint(eslint, index);
        const elapsed = performance.now() - start;
        const cpuUsed = process.cpuUsage(cpuStart);
        const side = eslint === base ? 0 : 1;
        total[side]! += elapsed;
        cpu[side]! += (cpuUsed.user + cpuUsed.system) / 1000;
        if (isLarge) {
          large[side]! += elapsed;
          largeCpu[side]! += (cpuUsed.user + cpuUsed.system) / 1000;
        }
        if (side === 1 && repetition === 0) {
          result.fatal += linted.messages.filter((m) => m.fatal).length;
          result.locksmithFindings += linted.messages.filter((m) => m.ruleId?.startsWith('locksmith/')).length;
        }
      }
      if ((texts[index]?.length ?? 0) > HUGE_FILE) collectGarbage();
      const stats = (await lint(timed, index)).stats;
      if ((texts[index]?.length ?? 0) > HUGE_FILE) collectGarbage();
      for (const pass of stats?.times.passes ?? []) {
        for (const [rule, time] of Object.entries(pass.rules ?? {})) {
          ruleTimes.set(rule, (ruleTimes.get(rule) ?? 0) + time.total);
        }
      }
      if ((index + 1) % 200 === 0) log(`    ${index + 1}/${texts.length} files`);
    }
    const [without = 0, withPlugin = 0] = total;
    result.without.push(without);
    result.with.push(withPlugin);
    result.ratios.push(withPlugin / without);
    result.cpuRatios.push(cpu[1]! / cpu[0]!);
    if (largest.size > 0) {
      result.largestRatios.push(large[1]! / large[0]!);
      result.restRatios.push((withPlugin - large[1]!) / (without - large[0]!));
      result.cpuLargestRatios.push(largeCpu[1]! / largeCpu[0]!);
      result.cpuRestRatios.push((cpu[1]! - largeCpu[1]!) / (cpu[0]! - largeCpu[0]!));
    }
    result.ruleTimes.push(ruleTimes);
    result.loads.push(loadavg()[0] ?? NaN);
    log(
      `  repetition ${repetition + 1}/${repetitions}: without ${ms(without)}, with ${ms(withPlugin)}, ratio ${ratio(withPlugin / without)} (CPU time ${ratio(result.cpuRatios.at(-1)!)})` +
        (largest.size > 0
          ? ` (largest files ${ratio(result.largestRatios.at(-1)!)}, CPU ${ratio(result.cpuLargestRatios.at(-1)!)}; the rest ${ratio(result.restRatios.at(-1)!)}, CPU ${ratio(result.cpuRestRatios.at(-1)!)})`
          : '') +
        `, load ${result.loads.at(-1)?.toFixed(1)}`,
    );
  }
  return result;
}

/**
 * Each locksmith rule's time next to the median `eslint:recommended` rule, per repetition: the median over the
 * repetitions and the range of the rule's ratio to the median core rule of the same repetition.
 */
function ruleTable(repetitions: readonly Map<string, number>[]): string {
  const coreRules = Object.keys(js.configs.recommended.rules);
  const perRepetition = repetitions.map((times) => {
    const coreTimes = coreRules.map((rule) => times.get(rule) ?? 0);
    const medianCore = median(coreTimes);
    const maxCore = Math.max(...coreTimes);
    return { times, medianCore, maxCore, costliest: coreRules[coreTimes.indexOf(maxCore)] ?? '?' };
  });
  const locksmithRules = [...(repetitions[0]?.keys() ?? [])].filter((rule) => rule.startsWith('locksmith/'));
  const row = (label: string, time: (r: (typeof perRepetition)[number]) => number) => {
    const values = perRepetition.map(time);
    const ratios = perRepetition.map((r) => time(r) / r.medianCore).sort((a, b) => a - b);
    return { label, time: median(values), ratio: median(ratios), low: ratios[0] ?? NaN, high: ratios.at(-1) ?? NaN };
  };
  const rows = [
    ...locksmithRules.map((rule) => row(`\`${rule}\``, (r) => r.times.get(rule) ?? 0)).sort((a, b) => b.time - a.time),
    row(`median of the ${coreRules.length} \`eslint:recommended\` rules`, (r) => r.medianCore),
    row(`costliest core rule (\`${perRepetition[0]?.costliest ?? '?'}\` in the first repetition)`, (r) => r.maxCore),
  ];
  return [
    `| rule | time (median of ${repetitions.length}) | vs median core rule (median) | range over repetitions |`,
    `| --- | --- | --- | --- |`,
    ...rows.map(({ label, time, ratio: value, low, high }) => `| ${label} | ${ms(time)} | ${ratio(value)} | ${ratio(low)} – ${ratio(high)} |`),
  ].join('\n');
}

interface Relint {
  readonly name: string;
  readonly samples: number[];
  /** The same re-lints in CPU time (user + system) of this process. */
  readonly cpuSamples: number[];
}

/** Re-lints the edited file as an editor does: one warm ESLint per config, a different edit each time. */
async function relint(dir: string, plugin: Plugin): Promise<Relint[]> {
  const { path, text } = editedFile(dir);
  const configs: [string, Linter.Config[]][] = [
    ['locksmith strict config alone', [plugin.configs.strict]],
    ['eslint:recommended', [core]],
    ['eslint:recommended + locksmith strict', [core, plugin.configs.strict]],
  ];
  const runs = configs.map(([name, config]) => ({ name, eslint: eslintFor(dir, config), samples: [] as number[], cpuSamples: [] as number[] }));
  const lines = text.split('\n');
  for (let i = 0; i < WARMUP_RELINTS + RELINTS; i += 1) {
    // A keystroke: one line of the file changes (a comment, so the findings stay the same).
    const edited = [...lines];
    const at = (i * 37) % lines.length;
    edited[at] = `${lines[at] ?? ''} // edit ${i}`;
    const source = edited.join('\n');
    for (const run of runs) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      await run.eslint.lintText(source, { filePath: path });
      const cpu = process.cpuUsage(cpuStart);
      if (i >= WARMUP_RELINTS) {
        run.samples.push(performance.now() - start);
        run.cpuSamples.push((cpu.user + cpu.system) / 1000);
      }
    }
  }
  return runs.map(({ name, samples, cpuSamples }) => ({ name, samples, cpuSamples }));
}

function overheadRow(name: string, corpus: Corpus, result: Overhead): string {
  const sorted = [...result.ratios].sort((a, b) => a - b);
  const cpuSorted = [...result.cpuRatios].sort((a, b) => a - b);
  return `| ${name} | ${corpus.files.length} files, ${(corpus.lines / 1000).toFixed(0)} k lines | ${ms(median(result.without))} | ${ms(median(result.with))} | **${ratio(median(result.ratios))}** | ${ratio(sorted[0] ?? NaN)} – ${ratio(sorted.at(-1) ?? NaN)} | **${ratio(median(result.cpuRatios))}** | ${ratio(cpuSorted[0] ?? NaN)} – ${ratio(cpuSorted.at(-1) ?? NaN)} | ${result.locksmithFindings} | ${result.fatal} |`;
}

async function main(): Promise<void> {
  log(`dist/: ${ensureBuilt(DIST_PLUGIN_ENTRY, ['rules', 'src'])}`);
  const plugin = ((await import(pathToFileURL(DIST_PLUGIN_ENTRY).href)) as { default: Plugin }).default;
  const started = new Date();
  const loadBefore = loadavg();
  const temp = mkdtempSync(join(tmpdir(), 'locksmith-bench-lint-'));
  try {
    const thirdParty = thirdPartyCorpus(SAMPLE, !WITHOUT_LARGEST);
    const largestFiles = new Set(THIRD_PARTY_FILES.map((file) => join(root, 'node_modules', file)));
    if (THIRD_PARTY_ONLY) {
      log(`third-party corpus: ${thirdParty.files.length} files, ${thirdParty.lines} lines; ${REPETITIONS} repetitions`);
      const result = await overhead(thirdParty, plugin, REPETITIONS, largestFiles);
      process.stdout.write(
        [
          `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}, third-party corpus only${WITHOUT_LARGEST ? ` without ${THIRD_PARTY_FILES.join(', ')}` : ''}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadavg().map((l) => l.toFixed(2)).join(' / ')} at the end.`,
          '',
          '| corpus | size | without (median) | with (median) | ratio, wall clock (median of repetitions) | range | ratio, CPU time (median) | range | locksmith findings | parse errors |',
          '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
          overheadRow('third-party', thirdParty, result),
          '',
          `Ratios per repetition: wall clock ${result.ratios.map(ratio).join(', ')}; CPU time ${result.cpuRatios.map(ratio).join(', ')}; load ${result.loads.map((l) => l.toFixed(1)).join(', ')}.`,
          '',
          ruleTable(result.ruleTimes),
          '',
        ].join('\n'),
      );
      return;
    }
    const lockHeavy = lockHeavyCorpus(join(temp, 'lock-heavy'), COPIES);

    log(`lock-heavy corpus: ${lockHeavy.files.length} files, ${lockHeavy.lines} lines; ${REPETITIONS * 3} repetitions`);
    const lockHeavyOverhead = await overhead(lockHeavy, plugin, REPETITIONS * 3);
    log(`third-party corpus: ${thirdParty.files.length} files, ${thirdParty.lines} lines; ${REPETITIONS} repetitions`);
    const thirdPartyOverhead = SKIP_THIRD_PARTY ? undefined : await overhead(thirdParty, plugin, REPETITIONS, largestFiles);
    const thirdPartyRules = thirdPartyOverhead ? ruleTable(thirdPartyOverhead.ruleTimes) : '(skipped)';
    const lockHeavyRules = ruleTable(lockHeavyOverhead.ruleTimes);

    log(`warm re-lint, ${RELINTS} runs per config`);
    const relints = await relint(join(temp, 'editor'), plugin);
    const loadAfter = loadavg();

    const out: string[] = [];
    out.push(
      `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}: ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? '?'}, Node ${process.version}, ESLint ${ESLint.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} at the end (1 / 5 / 15 min).`,
      '',
      `Third-party corpus${SAMPLE > 1 ? ` (every ${SAMPLE}th file only)` : ''}: ${THIRD_PARTY_PACKAGES.join(', ')}, and ${THIRD_PARTY_FILES.join(', ')}.`,
      `Lock-heavy corpus: \`fixtures/\` copied ${COPIES} times.`,
      '',
      '### Overhead: eslint:recommended vs eslint:recommended + every locksmith rule (same process, interleaved per file)',
      '',
      '| corpus | size | without (median) | with (median) | ratio, wall clock (median of repetitions) | range | ratio, CPU time (median) | range | locksmith findings | parse errors |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...(thirdPartyOverhead ? [overheadRow('third-party', thirdParty, thirdPartyOverhead)] : []),
      overheadRow('lock-heavy', lockHeavy, lockHeavyOverhead),
      '',
      `CPU-time ratios per repetition: third-party ${thirdPartyOverhead?.cpuRatios.map(ratio).join(', ') ?? '(skipped)'} (${THIRD_PARTY_FILES.join(', ')} alone: ${thirdPartyOverhead?.cpuLargestRatios.map(ratio).join(', ') ?? '-'}; every other file: ${thirdPartyOverhead?.cpuRestRatios.map(ratio).join(', ') ?? '-'}); lock-heavy ${lockHeavyOverhead.cpuRatios.map(ratio).join(', ')}.`,
      `Wall-clock ratios per repetition: third-party ${thirdPartyOverhead?.ratios.map(ratio).join(', ') ?? '(skipped)'} (${THIRD_PARTY_FILES.join(', ')} alone: ${thirdPartyOverhead?.largestRatios.map(ratio).join(', ') ?? '-'}; every other file: ${thirdPartyOverhead?.restRatios.map(ratio).join(', ') ?? '-'}); lock-heavy ${lockHeavyOverhead.ratios.map(ratio).join(', ')}.`,
      `Load average (1 min) at the end of each repetition: third-party ${thirdPartyOverhead?.loads.map((l) => l.toFixed(1)).join(', ') ?? '-'}; lock-heavy ${lockHeavyOverhead.loads.map((l) => l.toFixed(1)).join(', ')}.`,
      '',
      '### Per-rule time (ESLint `stats`, summed over the corpus), third-party corpus',
      '',
      thirdPartyRules,
      '',
      '### Per-rule time, lock-heavy corpus',
      '',
      lockHeavyRules,
      '',
      `### Warm re-lint of a ${editedFile(join(temp, 'editor')).text.split('\n').length}-line lock-heavy file (\`lintText\`, ${RELINTS} runs after ${WARMUP_RELINTS} warm-up runs, configs interleaved)`,
      '',
      '| config | p50 | p95 | min | max | CPU time p50 | CPU time p95 |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...relints.map(
        ({ name, samples, cpuSamples }) =>
          `| ${name} | **${ms(percentile(samples, 50))}** | ${ms(percentile(samples, 95))} | ${ms(Math.min(...samples))} | ${ms(Math.max(...samples))} | ${ms(percentile(cpuSamples, 50))} | ${ms(percentile(cpuSamples, 95))} |`,
      ),
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();
