import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EngineError } from '../errors.js';
import { buildFailureIn } from '../kits/types.js';
import type { ImagePlan } from '../plan/image.js';
import { log } from '../ui/log.js';
import { dockerBinary, runDocker } from './cli.js';

export interface BuildOptions {
  noCache: boolean;
  logFile: string;
  /** Build args that shape nothing in the result (proxies): not part of the hash. */
  extraBuildArgs: Record<string, string>;
}

/** Lines worth showing while a build runs: the step headers of either builder. */
const STEP_LINE = /^(Step \d+\/\d+ : |#\d+ \[)/;
/** BuildKit repeats the step that failed in its error summary: ` > [3/9] RUN ...:`. */
const BUILDKIT_FAILED_STEP = /^ > (\[[^\]]+\] .*):$/;

/**
 * The step the build failed at, for the one-line error. BuildKit names it in its
 * summary (steps may run in parallel); the legacy builder runs them in order, so
 * there it is the last step header.
 */
export function failingStep(lines: readonly string[]): string | undefined {
  const summary = lines.map((line) => BUILDKIT_FAILED_STEP.exec(line)?.[1]).filter(Boolean);
  const step = summary.at(-1) ?? lines.filter((line) => STEP_LINE.test(line)).at(-1);
  if (step === undefined) return undefined;
  const text = step
    .replace(/^#\d+ /, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

async function hasBuildx(): Promise<boolean> {
  return (await runDocker(['buildx', 'version'])).exitCode === 0;
}

function writeContext(plan: ImagePlan): string {
  const dir = mkdtempSync(join(tmpdir(), 'asylum-build-'));
  writeFileSync(join(dir, 'Dockerfile'), plan.dockerfile);
  for (const [name, text] of Object.entries(plan.files)) writeFileSync(join(dir, name), text);
  return dir;
}

function buildArgv(plan: ImagePlan, dir: string, options: BuildOptions, buildx: boolean) {
  const args = ['build', '--tag', plan.tag];
  if (buildx) args.push('--progress', 'plain');
  // The legacy builder keeps a failed step's container (and its image) otherwise.
  else args.push('--force-rm');
  if (options.noCache) args.push('--no-cache');
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  const buildArgs = { ...options.extraBuildArgs, ...plan.buildArgs };
  for (const [key, value] of Object.entries(buildArgs))
    args.push('--build-arg', `${key}=${value}`);
  args.push(dir);
  return args;
}

/**
 * Builds an image from a plan. The full log goes to a file; step headers are
 * shown as progress. The tag only moves on success, so a failed build leaves
 * the previous good image in place.
 */
export async function buildImage(plan: ImagePlan, options: BuildOptions): Promise<void> {
  const dir = writeContext(plan);
  mkdirSync(join(options.logFile, '..'), { recursive: true });
  const logStream = createWriteStream(options.logFile);
  // A full disk must not crash the build: the log is a help, the image is the point.
  logStream.once('error', (error) => {
    log.warn(`could not write the build log ${options.logFile}: ${error.message}`);
  });
  try {
    const args = buildArgv(plan, dir, options, await hasBuildx());
    const tail: string[] = [];
    const steps: string[] = [];
    let explanation: string | undefined;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(dockerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.on('error', reject);
      const onLine = (line: string) => {
        logStream.write(`${line}\n`);
        tail.push(line);
        if (tail.length > 25) tail.shift();
        if (STEP_LINE.test(line)) {
          steps.push(line);
          log.info(`build: ${line.slice(0, 140)}`);
        }
        explanation = buildFailureIn(line) ?? explanation;
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      child.on('close', (exitCode) => resolve(exitCode ?? 1));
    });
    if (code !== 0) {
      process.stderr.write(`${tail.join('\n')}\n`);
      const step = failingStep([...steps.slice(-1), ...tail]);
      const at = step ? ` at ${step}` : '';
      const why = explanation ? `: ${explanation}` : '';
      throw new EngineError(
        `image build failed${at} (exit ${code})${why}; full log: ${options.logFile}`,
        {
          hint: 'fix the failing step above (a package name in your config?) and run again',
        },
      );
    }
  } finally {
    logStream.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
