import type { Kit } from '../../src/kits/types.js';

/** A kit with nothing to install, for tests of code that must work for any kit. */
export function fakeKit(name: string, tier: Kit['tier'], credentials = false): Kit {
  return {
    name,
    tier,
    summary: `${name} things`,
    order: 1,
    ...(credentials ? { credentials: { label: name, effect: 'a token' } } : {}),
  };
}

/** Opt-in kits (one with credentials), named unlike any real kit, added to the registry. */
export const OPT_IN_KITS: readonly Kit[] = [
  fakeKit('extra-optin', 'opt-in'),
  fakeKit('vault', 'opt-in', true),
];
