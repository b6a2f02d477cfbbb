/**
 * `npm run bench:lint`: what the locksmith plugin adds to an ESLint run. A benchmark, not a test: it asserts
 * nothing, it prints a Markdown report (bench/LINT.md keeps one, with its reading).
 *
 * 1. Overhead ratio: ESLint with `eslint:recommended` alone vs the same plus every locksmith rule (the strict
 *    config), on the third-party corpus and on the lock-heavy corpus, next to an A/A control (`eslint:recommended`
 *    in a second instance). All configs run in this one process, each file linted K times by each, configs
 *    rotating (`lintText`); a file's cost is its minimum CPU time (and, apart, wall time) over those lints.
 *    Beside it, the rule phase alone on one shared parse per file (`shared-parse.ts`): the only part of a lint the
 *    plugin can change, timed without the parse whose garbage makes a whole lint of a large file unrepeatable.
 * 2. Per-rule cost: ESLint's `stats` (what `TIMING=all` prints), each locksmith rule next to the median rule of
 *    `eslint:recommended`: each file's least time over the K passes, summed over a corpus.
 * 3. Warm re-lint: `new ESLint(…).lintText()` of one edited ~300-line lock-heavy file, many times in a warm
 *    process (what an editor's ESLint server does on a keystroke), p50/p95.
 *
 * Options: `--quick` (fewer repetitions), `--repetitions=N`, `--lints=K` (lints per file and config in
 * a repetition; a file's cost is the minimum), `--copies=N` (fixture copies), `--relints=N`,
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
import { flushFileIn, sharedParse } from './shared-parse.js';
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

/** Lints per file per config in each repetition; a file's cost is the minimum over them. */
const LINTS = Number(args.get('lints') ?? 2);
/** Rule phases per large file, config and pass on a shared parse (see `shared-parse.ts`). */
const RULE_PHASES_LARGE = 3;
/** Files larger than this (characters) are linted on a freshly collected heap (typescript.js, the bundles). */
const COLLECT_BEFORE = 200_000;
type GcOptions = { type: 'major' | 'minor' };
const gc = (globalThis as { gc?: (options?: GcOptions) => void }).gc;
/** A full garbage collection, when Node runs with `--expose-gc` (the npm script does). */
const collectGarbage = (): void => gc?.();
/** A young-generation collection: the next allocation starts in an empty nursery (needs `--expose-gc`). */
const collectYoung = (): void => gc?.({ type: 'minor' });

/**
 * The order of the three configs for a file's lint in one pass: over K = 3 passes each config takes each
 * position once (a Latin square of rotations), and the direction alternates from file to file, so that over
 * the corpus each config follows each other one equally often.
 */
function orderOf(index: number, pass: number, repetition: number): readonly number[] {
  const shift = (index + pass + repetition) % 3;
  const rotation = [0, 1, 2].map((slot) => (slot + shift) % 3);
  return (index + repetition) % 2 === 0 ? rotation : rotation.reverse();
}

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

/** One estimator's totals over a corpus for one repetition: `[without, with, control]` in milliseconds. */
type Sums = [number, number, number];

interface Overhead {
  /** Per repetition, the sum over files of each file's minimum CPU time over its lints, per config. */
  readonly minCpu: Sums[];
  /** The same from the wall clock. */
  readonly minWall: Sums[];
  /**
   * The rule phase alone on a shared parse (`shared-parse.ts`), per-file minimum of CPU time, added to
   * `minCpu`'s "without": `[W, W + (with - without), W + (control - without)]`, so its ratios read like the
   * others. Empty where this ESLint does not allow it.
   */
  readonly rulePhase: Sums[];
  /** `rulePhase` over the largest files only, and over all the others. */
  readonly largestRulePhase: Sums[];
  readonly restRulePhase: Sums[];
  /** The one-lint estimator (each file's first lint only, CPU time): the method of earlier runs, for comparison. */
  readonly firstCpu: Sums[];
  /** Per-file minimum CPU time over the corpus's largest files only (`largest`), and over all the others. */
  readonly largestCpu: Sums[];
  readonly restCpu: Sums[];
  fatal: number;
  locksmithFindings: number;
  /** The locksmith findings of the rule phase on a shared parse (must equal `locksmithFindings`). */
  sharedParseFindings: number;
  /** Milliseconds per rule (ESLint `stats`), one map per repetition, from a fourth instance linting alongside. */
  readonly ruleTimes: Map<string, number>[];
  /** Load average (1 min) at the end of each repetition. */
  readonly loads: number[];
}

/** `with / without` and `control / without` of each repetition's sums. */
const ratiosOf = (sums: readonly Sums[]) => ({
  plugin: sums.map(([without, withPlugin]) => withPlugin / without),
  control: sums.map(([without, , control]) => control / without),
});

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

/**
 * Lints every file `LINTS` times with each of three configs: `eslint:recommended` ("without"), the same plus
 * every locksmith rule ("with"), and `eslint:recommended` again in an instance of its own ("control", an A/A
 * comparison: whatever ratio it shows is noise). A repetition makes `LINTS` passes through the corpus; in each,
 * the three lints of a file follow each other (`orderOf`: over three passes each config takes each position
 * once), so load from other work falls on all three alike. A file's cost under a config is
 * the minimum over its lints (of CPU time, and separately of wall time): the work is deterministic and CPU-bound,
 * so preemption, cache misses and collections only ever add to it. A repetition's ratio is the sum of those
 * minimums with the plugin over the sum without. Before each lint the young generation (before a large file's,
 * the whole heap) is collected outside the timed region, so no lint pays for the garbage of the one before. Each pass also
 * lints each file with a fourth instance that records `stats` (per-rule time); a rule's cost of a file is its
 * minimum over the passes, like the overhead's.
 */
async function overhead(
  corpus: Corpus,
  plugin: Plugin,
  repetitions: number,
  largest: ReadonlySet<string> = new Set(),
): Promise<Overhead> {
  const base = eslintFor(corpus.cwd, [core]);
  const full = eslintFor(corpus.cwd, [core, plugin.configs.strict]);
  const control = eslintFor(corpus.cwd, [core]);
  const timed = eslintFor(corpus.cwd, [core, plugin.configs.strict], true);
  const configs = [base, full, control] as const;
  const shared = sharedParse(corpus.cwd, [LINT_NODE_MODULES, { ...core, rules: {} }], [
    [LINT_NODE_MODULES, core],
    [LINT_NODE_MODULES, core, plugin.configs.strict],
    [LINT_NODE_MODULES, core],
  ]);
  const flushFile = flushFileIn(corpus.cwd);
  // ESLint keeps the last file's SourceCode until the next lint: typescript.js's holds ~2 GB, so after a large
  // file every instance lints a one-line file, or the next lints run (and collect) on a heap several GB larger.
  const release = async () => {
    for (const eslint of [...configs, timed]) await eslint.lintText('0;\n', { filePath: flushFile });
    shared?.release();
    collectGarbage();
  };
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
    for (const eslint of [...configs, timed]) await lint(eslint, index);
  }
  const result: Overhead = {
    minCpu: [],
    minWall: [],
    rulePhase: [],
    largestRulePhase: [],
    restRulePhase: [],
    firstCpu: [],
    largestCpu: [],
    restCpu: [],
    fatal: 0,
    locksmithFindings: 0,
    sharedParseFindings: 0,
    ruleTimes: [],
    loads: [],
  };
  const timeRulePhases = (index: number, pass: number, repetition: number, large: boolean, bestRulePhase: number[][]) => {
    const sourceCodeOf = shared?.parse(texts[index] ?? '', corpus.files[index] ?? '');
    if (shared && sourceCodeOf) {
      // Untimed first: the findings on a shared parse must be lintText's (the reuse may not change the lint).
      if (pass === 0 && repetition === 0) {
        const messages = shared.messages(1, sourceCodeOf(), corpus.files[index] ?? '');
        result.sharedParseFindings += messages.filter((m) => m.ruleId?.startsWith('locksmith/')).length;
      }
      // A large file's rule phase runs on a heap that holds its parse (~2 GB for typescript.js): a collection
      // of that heap inside one of them costs seconds. So each starts from a full collection, and it runs
      // more often (it is cheap next to the parse it shares).
      for (let run = 0; run < (large ? RULE_PHASES_LARGE : 1); run += 1) {
        for (const side of orderOf(index, pass + run, repetition)) {
          const sourceCode = sourceCodeOf();
          if (large) collectGarbage();
          else collectYoung();
          const time = shared.rulePhase(side, sourceCode, corpus.files[index] ?? '');
          bestRulePhase[index]![side] = Math.min(bestRulePhase[index]![side]!, time);
        }
      }
    }
  };
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const bestCpu = texts.map(() => [Infinity, Infinity, Infinity]);
    const bestWall = texts.map(() => [Infinity, Infinity, Infinity]);
    const bestRulePhase = texts.map(() => [Infinity, Infinity, Infinity]);
    const firstCpu: Sums = [0, 0, 0];
    // Per rule, each file's least time over the passes: the estimator of the overhead above, for the same reasons.
    const bestRule = new Map<string, Float64Array>();
    // The lints of a file are spread over passes through the whole corpus, minutes apart, so that a burst of
    // load elsewhere (another process on the same core) cannot spoil all of them.
    for (let pass = 0; pass < LINTS; pass += 1) {
      for (let index = 0; index < texts.length; index += 1) {
        const large = (texts[index]?.length ?? 0) > COLLECT_BEFORE;
        for (const side of orderOf(index, pass, repetition)) {
          // The garbage of the lint before is collected here, outside the timed region, so that it is never
          // charged to this one (a lint that follows the plugin's would pay for the plugin's allocations): the
          // young generation before every lint, the whole heap before a large file's.
          if (large) collectGarbage();
          else collectYoung();
          const cpuStart = process.cpuUsage();
          const start = performance.now();
          const linted = await lint(configs[side]!, index);
          const wall = performance.now() - start;
          const cpu = cpuMs(process.cpuUsage(cpuStart));
          bestCpu[index]![side] = Math.min(bestCpu[index]![side]!, cpu);
          bestWall[index]![side] = Math.min(bestWall[index]![side]!, wall);
          if (large) await release();
          if (pass === 0) firstCpu[side]! += cpu;
          if (side === 1 && pass === 0 && repetition === 0) {
            result.fatal += linted.messages.filter((m) => m.fatal).length;
            result.locksmithFindings += linted.messages.filter((m) => m.ruleId?.startsWith('locksmith/')).length;
          }
        }
        if (large) collectGarbage();
        else collectYoung();
        const stats = (await lint(timed, index)).stats;
        if (large) await release();
        const fileTimes = new Map<string, number>();
        for (const statsPass of stats?.times.passes ?? []) {
          for (const [rule, time] of Object.entries(statsPass.rules ?? {})) {
            fileTimes.set(rule, (fileTimes.get(rule) ?? 0) + time.total);
          }
        }
        for (const [rule, time] of fileTimes) {
          let best = bestRule.get(rule);
          if (!best) {
            best = new Float64Array(texts.length).fill(Infinity);
            bestRule.set(rule, best);
          }
          best[index] = Math.min(best[index]!, time);
        }
        // In a function of its own, so that nothing in this frame holds the parse when `release` collects.
        timeRulePhases(index, pass, repetition, large, bestRulePhase);
        if (large) await release();
        if ((index + 1) % 250 === 0) log(`    pass ${pass + 1}/${LINTS}: ${index + 1}/${texts.length} files`);
      }
    }
    const minCpu: Sums = [0, 0, 0];
    const minWall: Sums = [0, 0, 0];
    const rules: Sums = [0, 0, 0];
    const largestCpu: Sums = [0, 0, 0];
    const largestRules: Sums = [0, 0, 0];
    for (let index = 0; index < texts.length; index += 1) {
      for (let side = 0; side < configs.length; side += 1) {
        minCpu[side]! += bestCpu[index]![side]!;
        minWall[side]! += bestWall[index]![side]!;
        // A file that does not parse has no rule phase (Infinity on every side).
        if (Number.isFinite(bestRulePhase[index]![side])) rules[side]! += bestRulePhase[index]![side]!;
        if (largest.has(corpus.files[index] ?? '')) {
          largestCpu[side]! += bestCpu[index]![side]!;
          if (Number.isFinite(bestRulePhase[index]![side])) largestRules[side]! += bestRulePhase[index]![side]!;
        }
      }
    }
    result.minCpu.push(minCpu);
    result.minWall.push(minWall);
    // The rule phase's difference, added to the end-to-end "without": [W, W + (with - without), W + (A/A - without)].
    const onTop = (whole: Sums, phase: Sums): Sums => [whole[0], whole[0] + phase[1] - phase[0], whole[0] + phase[2] - phase[0]];
    const minus = (a: Sums, b: Sums): Sums => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
    if (shared) {
      result.rulePhase.push(onTop(minCpu, rules));
      result.largestRulePhase.push(onTop(largestCpu, largestRules));
      result.restRulePhase.push(onTop(minus(minCpu, largestCpu), minus(rules, largestRules)));
    }
    result.firstCpu.push(firstCpu);
    result.largestCpu.push(largestCpu);
    result.restCpu.push([minCpu[0] - largestCpu[0], minCpu[1] - largestCpu[1], minCpu[2] - largestCpu[2]]);
    const ruleTimes = new Map<string, number>();
    for (const [rule, best] of bestRule) {
      ruleTimes.set(rule, best.reduce((sum, time) => (Number.isFinite(time) ? sum + time : sum), 0));
    }
    result.ruleTimes.push(ruleTimes);
    result.loads.push(loadavg()[0] ?? NaN);
    const at = (sums: readonly Sums[]) => {
      const { plugin: p, control: c } = ratiosOf(sums);
      return `${ratio(p.at(-1)!)} (A/A ${ratio(c.at(-1)!)})`;
    };
    log(
      `  repetition ${repetition + 1}/${repetitions}: min CPU without ${ms(minCpu[0])}, with ${ms(minCpu[1])}: ratio ${at(result.minCpu)}; min wall ${at(result.minWall)}; one lint, CPU ${at(result.firstCpu)}` +
        (result.rulePhase.length > 0 ? `; rule phase ${at(result.rulePhase)}` : '') +
        (result.rulePhase.length > 0 && largest.size > 0 ? ` (largest ${at(result.largestRulePhase)}, the rest ${at(result.restRulePhase)})` : '') +
        (largest.size > 0 ? `; largest files ${at(result.largestCpu)}, the rest ${at(result.restCpu)}` : '') +
        `; load ${result.loads.at(-1)?.toFixed(1)}`,
    );
  }
  if (shared && result.sharedParseFindings !== result.locksmithFindings) {
    // The rule phase on a shared parse must be the lint ESLint runs; if its findings differ, its times are not.
    throw new Error(`the shared parse found ${result.sharedParseFindings} locksmith findings, lintText ${result.locksmithFindings}`);
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

/** `median (low – high)` of a list of ratios. */
function spread(values: readonly number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  return `${ratio(median(sorted))} (${ratio(sorted[0] ?? NaN)} – ${ratio(sorted.at(-1) ?? NaN)})`;
}

/** The overhead table: the plugin's ratio and the A/A control's, under each estimator, over the repetitions. */
function overheadTable(name: string, corpus: Corpus, result: Overhead, largest: boolean): string {
  const rows: [string, Sums[]][] = [
    [`**per-file minimum of ${LINTS} lints, CPU time** (the estimator)`, result.minCpu],
    [`per-file minimum of ${LINTS} lints, wall clock`, result.minWall],
    ...(result.rulePhase.length > 0
      ? ([[`**the rule phase alone on a shared parse** (per-file minimum, CPU time), added to the first row's "without"`, result.rulePhase]] as [string, Sums[]][])
      : []),
    ['one lint per file, CPU time (the earlier runs\' estimator)', result.firstCpu],
    ...(largest
      ? ([
          [`${THIRD_PARTY_FILES.join(', ')} alone (minimum, CPU)`, result.largestCpu],
          ['every other file (minimum, CPU)', result.restCpu],
          ...(result.rulePhase.length > 0
            ? ([
                [`${THIRD_PARTY_FILES.join(', ')} alone (rule phase on a shared parse, on top of its whole-lint "without")`, result.largestRulePhase],
                ['every other file (rule phase on a shared parse, on top of its whole-lint "without")', result.restRulePhase],
              ] as [string, Sums[]][])
            : []),
        ] as [string, Sums[]][])
      : []),
  ];
  const totals = (sums: readonly Sums[], side: number) => ms(median(sums.map((s) => s[side]!)));
  return [
    `${name}: ${corpus.files.length} files, ${(corpus.lines / 1000).toFixed(0)} k lines, ${result.minCpu.length} repetitions; locksmith findings ${result.locksmithFindings}${result.rulePhase.length > 0 ? ` (on a shared parse: ${result.sharedParseFindings})` : ''}, parse errors ${result.fatal}.`,
    '',
    `| estimator | without (median) | with (median) | **plugin: with / without**, median (range) | **A/A control: without′ / without**, median (range) | per repetition: plugin / A/A |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(([label, sums]) => {
      const { plugin: p, control: c } = ratiosOf(sums);
      return `| ${label} | ${totals(sums, 0)} | ${totals(sums, 1)} | ${spread(p)} | ${spread(c)} | ${p.map((value, i) => `${ratio(value)} / ${ratio(c[i] ?? NaN)}`).join('; ')} |`;
    }),
  ].join('\n');
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
          `Run ${started.toISOString().replace(/\.\d+Z$/, 'Z')}, third-party corpus only${WITHOUT_LARGEST ? ` without ${THIRD_PARTY_FILES.join(', ')}` : ''}${SAMPLE > 1 ? ` (every ${SAMPLE}th file)` : ''}: ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? '?'}, Node ${process.version}, ESLint ${ESLint.version}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadavg().map((l) => l.toFixed(2)).join(' / ')} at the end (1 / 5 / 15 min); at the end of each repetition ${result.loads.map((l) => l.toFixed(1)).join(', ')}.`,
          '',
          overheadTable('Third-party corpus', thirdParty, result, !WITHOUT_LARGEST),
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
      `### Overhead: eslint:recommended vs eslint:recommended + every locksmith rule (same process, ${LINTS} lints per file and config, configs rotating)`,
      '',
      thirdPartyOverhead ? overheadTable('Third-party corpus', thirdParty, thirdPartyOverhead, !WITHOUT_LARGEST) : 'Third-party corpus: skipped.',
      '',
      overheadTable('Lock-heavy corpus', lockHeavy, lockHeavyOverhead, false),
      '',
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
