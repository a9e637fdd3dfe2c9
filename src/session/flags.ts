import { createLayer } from '../config/load.js';
import {
  parseEnvAssignment,
  parsePortSpec,
  parseVolumeSpec,
  validateEnvName,
  validateEnvValue,
} from '../config/specs.js';
import type { Config, ConfigLayer } from '../config/types.js';
import { ConfigError } from '../errors.js';

/** Global flags, shared by agent mode, `shell` and `run`. */
export interface GlobalFlags {
  agent?: string;
  publish: string[];
  volume: string[];
  env: string[];
  rebuild: boolean;
  kits?: string[];
  agents?: string[];
  debug: boolean;
  /** `--continue` / `--resume`: continue the agent's last conversation in this project. */
  continue?: boolean;
}

/**
 * `-e KEY=VALUE`, or `-e KEY` to take the value from asylum's own environment,
 * which keeps a secret out of every process's argv (docker's spelling too).
 */
function parseEnvFlag(text: string): { key: string; value: string } {
  if (text.includes('=')) return parseEnvAssignment(text);
  validateEnvName(text);
  const value = process.env[text];
  if (value === undefined) throw new Error(`${text} is not set in your environment`);
  validateEnvValue(text, value);
  return { key: text, value };
}

/** Turns flags into the highest-precedence config layer, checking each value. */
export function flagsLayer(flags: GlobalFlags, home: string): ConfigLayer {
  const problems: string[] = [];
  const check = (flag: string, value: string, parse: (v: string) => unknown) => {
    try {
      parse(value);
    } catch (error) {
      problems.push(`${flag} ${JSON.stringify(value)}: ${(error as Error).message}`);
    }
  };
  for (const value of flags.publish) check('-p', value, parsePortSpec);
  for (const value of flags.volume) check('-v', value, (v) => parseVolumeSpec(v, home));
  const env: Record<string, string> = {};
  for (const value of flags.env) {
    check('-e', value, (v) => {
      const { key, value: parsed } = parseEnvFlag(v);
      env[key] = parsed;
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, undefined, 2);
  const config: Config = {};
  if (flags.agent !== undefined) config.agent = flags.agent;
  if (flags.publish.length > 0) config.ports = [...flags.publish];
  if (flags.volume.length > 0) config.volumes = [...flags.volume];
  if (Object.keys(env).length > 0) config.env = env;
  return createLayer('command line', config);
}
