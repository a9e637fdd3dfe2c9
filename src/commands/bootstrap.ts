import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerBinary } from '../docker/cli.js';
import { ensureEngine, imageId } from '../docker/engine.js';
import { UserError } from '../errors.js';
import { findDebianMirrors } from '../host/apt-sources.js';
import { DEFAULT_BASE_IMAGE } from '../session/images.js';
import { log } from '../ui/log.js';

export interface BootstrapOptions {
  image: string;
  suite: string;
  force: boolean;
}

function run(command: string, args: string[], options: { stdin?: 'pipe' } = {}) {
  return spawn(command, args, { stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
}

function waitFor(child: ReturnType<typeof spawn>, what: string, logTail: string[]): Promise<void> {
  const keep = (chunk: Buffer) => {
    logTail.push(...chunk.toString().split('\n').filter(Boolean));
    logTail.splice(0, Math.max(0, logTail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new UserError(`${what}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new UserError(`${what} failed (exit ${code}):\n${logTail.join('\n')}`));
    });
  });
}

function sourcesList(suite: string, main: string, security: string | undefined): string {
  const lines = [`deb ${main} ${suite} main`, `deb ${main} ${suite}-updates main`];
  if (security) lines.push(`deb ${security} ${suite}-security main`);
  return `${lines.join('\n')}\n`;
}

/** `tar -C root -c . | docker import`: the rootfs becomes an image, labelled as asylum's. */
async function importRootfs(root: string, image: string): Promise<void> {
  const tar = run('tar', ['-C', root, '--numeric-owner', '-c', '.']);
  const importer = run(
    dockerBinary(),
    [
      'import',
      '--change',
      'CMD ["/bin/bash"]',
      '--change',
      'LABEL asylum.base=debootstrap',
      '-',
      image,
    ],
    { stdin: 'pipe' },
  );
  tar.stdout?.pipe(importer.stdin!);
  await Promise.all([waitFor(tar, 'tar', []), waitFor(importer, 'docker import', [])]);
}

/**
 * Builds the Debian base image from the archive the host's apt already uses,
 * for machines where no registry is reachable. Needs root (debootstrap does).
 */
export async function bootstrap(options: BootstrapOptions): Promise<number> {
  await ensureEngine();
  if (!options.force && (await imageId(options.image))) {
    log.ok(`${options.image} is already present (use --force to rebuild it)`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    throw new UserError('bootstrapping a base image needs root (debootstrap does)', {
      hint: `run \`sudo asylum bootstrap --image ${options.image}\``,
    });
  }
  const mirrors = findDebianMirrors(process.env);
  if (!mirrors) {
    throw new UserError('no Debian archive found in /etc/apt/sources.list(.d)', {
      hint: 'set ASYLUM_DEBIAN_MIRROR to a Debian archive URL',
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'asylum-rootfs-'));
  const root = join(dir, 'rootfs');
  try {
    log.info(`debootstrap ${options.suite} from ${mirrors.main} (about 30 s)`);
    const args = ['--variant=minbase', options.suite, root, mirrors.main];
    await waitFor(run('debootstrap', args), 'debootstrap', []);
    // Downloaded packages and lists would only make the image larger.
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    rmSync(join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    for (const partial of ['var/cache/apt/archives/partial', 'var/lib/apt/lists/partial']) {
      mkdirSync(join(root, partial), { recursive: true });
    }
    writeFileSync(
      join(root, 'etc/apt/sources.list'),
      sourcesList(options.suite, mirrors.main, mirrors.security),
    );
    await importRootfs(root, options.image);
    log.ok(`created ${options.image} from Debian ${options.suite}`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const BOOTSTRAP_DEFAULTS = { image: DEFAULT_BASE_IMAGE, suite: 'trixie' };
