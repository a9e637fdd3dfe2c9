import { describe, expect, it } from 'vitest';
import { type SeccompInput, seccompArch, seccompProfile, seccompProfileText } from './seccomp.js';

const DIND: SeccompInput = {
  arch: 'x64',
  addedCapabilities: ['SYS_ADMIN', 'NET_ADMIN'],
  extraSyscalls: ['keyctl', 'add_key', 'request_key', 'pivot_root'],
};
const PLAIN: SeccompInput = { arch: 'x64', addedCapabilities: [], extraSyscalls: [] };

function allowed(input: SeccompInput): string[] {
  return seccompProfile(input).syscalls.find(
    (rule) => !rule.args && rule.action === 'SCMP_ACT_ALLOW',
  )!.names;
}

describe('seccompProfile', () => {
  it('denies by default with EPERM, for the host family of processors', () => {
    const profile = seccompProfile(DIND);
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const arm = seccompProfile({ ...DIND, arch: 'arm64' });
    expect(arm.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(allowed({ ...DIND, arch: 'arm64' })).toContain('set_tls');
    expect(allowed({ ...DIND, arch: 'arm64' })).not.toContain('arch_prctl');
  });

  it('allows the keyring calls and pivot_root only when asked', () => {
    const extra = ['add_key', 'keyctl', 'pivot_root', 'request_key'];
    expect(allowed(DIND)).toEqual(expect.arrayContaining(extra));
    for (const name of extra) expect(allowed(PLAIN)).not.toContain(name);
  });

  it('allows mount, unshare and clone only with SYS_ADMIN', () => {
    const adminOnly = ['mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3'];
    expect(allowed(DIND)).toEqual(expect.arrayContaining(adminOnly));
    for (const name of adminOnly) expect(allowed(PLAIN)).not.toContain(name);
  });

  it('without SYS_ADMIN: clone without namespace flags, clone3 answers ENOSYS', () => {
    const rules = seccompProfile(PLAIN).syscalls;
    const clone = rules.find((rule) => rule.names.includes('clone'))!;
    expect(clone.args).toEqual([
      { index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' },
    ]);
    const clone3 = rules.find((rule) => rule.names.includes('clone3'))!;
    expect(clone3).toMatchObject({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    expect(seccompProfile(DIND).syscalls.filter((r) => r.names.includes('clone'))).toHaveLength(1);
  });

  it('keeps what stays dangerous even for Docker-in-Docker', () => {
    const never = [
      'init_module',
      'finit_module',
      'delete_module',
      'kexec_load',
      'reboot',
      'open_by_handle_at',
      'iopl',
      'ioperm',
      'acct',
      'settimeofday',
      'clock_settime',
      'swapon',
      'io_uring_setup',
      'userfaultfd',
    ];
    for (const name of never) expect(allowed(DIND)).not.toContain(name);
  });

  it('grants the calls of a default capability (SYS_CHROOT) and of added ones', () => {
    expect(allowed(PLAIN)).toContain('chroot');
    expect(allowed({ ...PLAIN, addedCapabilities: ['SYS_PTRACE'] })).toContain('kcmp');
    expect(allowed(PLAIN)).not.toContain('kcmp');
  });

  it('opens sockets of every family but vsock', () => {
    const rules = seccompProfile(PLAIN).syscalls.filter((r) => r.names.includes('socket'));
    expect(rules).toEqual([
      {
        names: ['socket'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }],
      },
    ]);
  });

  it('lets personality switch only to the usual execution domains', () => {
    const rules = seccompProfile(DIND).syscalls.filter((r) => r.names.includes('personality'));
    expect(rules.map((r) => r.args?.[0]?.value)).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
    expect(allowed(DIND)).not.toContain('personality');
  });

  it('writes sorted, unique names as stable JSON text', () => {
    const names = allowed(DIND);
    expect(names).toEqual([...new Set(names)].sort());
    expect(names.length).toBeGreaterThan(300);
    const text = seccompProfileText(DIND);
    expect(JSON.parse(text)).toEqual(seccompProfile(DIND));
    expect(text).toBe(seccompProfileText({ ...DIND, extraSyscalls: [...DIND.extraSyscalls] }));
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('seccompArch', () => {
  it('maps the processors Node names to profile families', () => {
    expect(seccompArch('x64')).toBe('x64');
    expect(seccompArch('arm64')).toBe('arm64');
    expect(seccompArch('ia32')).toBeUndefined();
  });
});
