/**
 * A seccomp profile equivalent to the engine's built-in default, generated
 * here because a custom profile replaces the default whole: to allow a few
 * more system calls (Docker-in-Docker needs the keyring calls and pivot_root)
 * we must restate everything else. Pure: the same input gives the same text.
 *
 * The lists follow what the engine's default allows, grouped by purpose; the
 * groups that depend on a capability are only included when the container is
 * given that capability, as the engine does for its own profile.
 */

/** System calls every container may make (the engine's unconditional allow list). */
const FILES = [
  'access',
  'chdir',
  'chmod',
  'chown',
  'chown32',
  'close',
  'close_range',
  'copy_file_range',
  'creat',
  'dup',
  'dup2',
  'dup3',
  'faccessat',
  'faccessat2',
  'fadvise64',
  'fadvise64_64',
  'fallocate',
  'fanotify_mark',
  'fchdir',
  'fchmod',
  'fchmodat',
  // Newer than the engine's list; recent glibc calls it and falls back only on ENOSYS.
  'fchmodat2',
  'fchown',
  'fchown32',
  'fchownat',
  'fcntl',
  'fcntl64',
  'fdatasync',
  'fgetxattr',
  'flistxattr',
  'flock',
  'fremovexattr',
  'fsetxattr',
  'fstat',
  'fstat64',
  'fstatat64',
  'fstatfs',
  'fstatfs64',
  'fsync',
  'ftruncate',
  'ftruncate64',
  'futimesat',
  'getcwd',
  'getdents',
  'getdents64',
  'getxattr',
  'inotify_add_watch',
  'inotify_init',
  'inotify_init1',
  'inotify_rm_watch',
  'lchown',
  'lchown32',
  'lgetxattr',
  'link',
  'linkat',
  'listxattr',
  'llistxattr',
  '_llseek',
  'lremovexattr',
  'lseek',
  'lsetxattr',
  'lstat',
  'lstat64',
  'mkdir',
  'mkdirat',
  'mknod',
  'mknodat',
  'name_to_handle_at',
  'newfstatat',
  'open',
  'openat',
  'openat2',
  'pread64',
  'preadv',
  'preadv2',
  'pwrite64',
  'pwritev',
  'pwritev2',
  'read',
  'readahead',
  'readlink',
  'readlinkat',
  'readv',
  'removexattr',
  'rename',
  'renameat',
  'renameat2',
  'rmdir',
  'sendfile',
  'sendfile64',
  'setxattr',
  'splice',
  'stat',
  'stat64',
  'statfs',
  'statfs64',
  'statx',
  'symlink',
  'symlinkat',
  'sync',
  'sync_file_range',
  'syncfs',
  'tee',
  'truncate',
  'truncate64',
  'umask',
  'unlink',
  'unlinkat',
  'utime',
  'utimensat',
  'utimensat_time64',
  'utimes',
  'vmsplice',
  'write',
  'writev',
] as const;

const MEMORY = [
  'brk',
  'madvise',
  'membarrier',
  'memfd_create',
  'memfd_secret',
  'mincore',
  'mlock',
  'mlock2',
  'mlockall',
  'mmap',
  'mmap2',
  'mprotect',
  'mremap',
  'msync',
  'munlock',
  'munlockall',
  'munmap',
  'pkey_alloc',
  'pkey_free',
  'pkey_mprotect',
  'remap_file_pages',
] as const;

const PROCESSES = [
  'capget',
  'capset',
  'execve',
  'execveat',
  'exit',
  'exit_group',
  'fork',
  'getcpu',
  'getegid',
  'getegid32',
  'geteuid',
  'geteuid32',
  'getgid',
  'getgid32',
  'getgroups',
  'getgroups32',
  'getpgid',
  'getpgrp',
  'getpid',
  'getppid',
  'getpriority',
  'getresgid',
  'getresgid32',
  'getresuid',
  'getresuid32',
  'getrlimit',
  'get_robust_list',
  'getrusage',
  'getsid',
  'get_thread_area',
  'gettid',
  'getuid',
  'getuid32',
  'ioprio_get',
  'ioprio_set',
  'prctl',
  'prlimit64',
  'process_mrelease',
  'rseq',
  'sched_getaffinity',
  'sched_getattr',
  'sched_getparam',
  'sched_get_priority_max',
  'sched_get_priority_min',
  'sched_getscheduler',
  'sched_rr_get_interval',
  'sched_rr_get_interval_time64',
  'sched_setaffinity',
  'sched_setattr',
  'sched_setparam',
  'sched_setscheduler',
  'sched_yield',
  'seccomp',
  'setfsgid',
  'setfsgid32',
  'setfsuid',
  'setfsuid32',
  'setgid',
  'setgid32',
  'setgroups',
  'setgroups32',
  'setpgid',
  'setpriority',
  'setregid',
  'setregid32',
  'setresgid',
  'setresgid32',
  'setresuid',
  'setresuid32',
  'setreuid',
  'setreuid32',
  'setrlimit',
  'set_robust_list',
  'setsid',
  'set_thread_area',
  'set_tid_address',
  'setuid',
  'setuid32',
  'ugetrlimit',
  'uname',
  'vfork',
  'wait4',
  'waitid',
  'waitpid',
  // Reading other processes of the container: the engine allows it on every
  // kernel new enough (4.8+) that ptrace cannot be used to bypass seccomp.
  'process_vm_readv',
  'process_vm_writev',
  'ptrace',
] as const;

const SIGNALS_AND_TIME = [
  // Reading the clock's tuning is harmless; changing it needs SYS_TIME anyway.
  'adjtimex',
  'alarm',
  'clock_adjtime',
  'clock_adjtime64',
  'clock_getres',
  'clock_getres_time64',
  'clock_gettime',
  'clock_gettime64',
  'clock_nanosleep',
  'clock_nanosleep_time64',
  'getitimer',
  'gettimeofday',
  'kill',
  'nanosleep',
  'pause',
  'pidfd_open',
  'pidfd_send_signal',
  'restart_syscall',
  'rt_sigaction',
  'rt_sigpending',
  'rt_sigprocmask',
  'rt_sigqueueinfo',
  'rt_sigreturn',
  'rt_sigsuspend',
  'rt_sigtimedwait',
  'rt_sigtimedwait_time64',
  'rt_tgsigqueueinfo',
  'setitimer',
  'sigaltstack',
  'signalfd',
  'signalfd4',
  'sigprocmask',
  'sigreturn',
  'sysinfo',
  'tgkill',
  'time',
  'timer_create',
  'timer_delete',
  'timer_getoverrun',
  'timer_gettime',
  'timer_gettime64',
  'timer_settime',
  'timer_settime64',
  'timerfd_create',
  'timerfd_gettime',
  'timerfd_gettime64',
  'timerfd_settime',
  'timerfd_settime64',
  'times',
  'tkill',
] as const;

const EVENTS_AND_IPC = [
  'epoll_create',
  'epoll_create1',
  'epoll_ctl',
  'epoll_ctl_old',
  'epoll_pwait',
  'epoll_pwait2',
  'epoll_wait',
  'epoll_wait_old',
  'eventfd',
  'eventfd2',
  // io_uring is left out, as the engine's current default does: a large attack surface.
  'futex',
  'futex_requeue',
  'futex_time64',
  'futex_wait',
  'futex_waitv',
  'futex_wake',
  'io_cancel',
  'io_destroy',
  'io_getevents',
  'io_pgetevents',
  'io_pgetevents_time64',
  'io_setup',
  'io_submit',
  'ioctl',
  'ipc',
  'landlock_add_rule',
  'landlock_create_ruleset',
  'landlock_restrict_self',
  'mq_getsetattr',
  'mq_notify',
  'mq_open',
  'mq_timedreceive',
  'mq_timedreceive_time64',
  'mq_timedsend',
  'mq_timedsend_time64',
  'mq_unlink',
  'msgctl',
  'msgget',
  'msgrcv',
  'msgsnd',
  '_newselect',
  'pipe',
  'pipe2',
  'poll',
  'ppoll',
  'ppoll_time64',
  'pselect6',
  'pselect6_time64',
  'select',
  'semctl',
  'semget',
  'semop',
  'semtimedop',
  'semtimedop_time64',
  'shmat',
  'shmctl',
  'shmdt',
  'shmget',
] as const;

const NETWORK = [
  'accept',
  'accept4',
  'bind',
  'connect',
  'getpeername',
  'getrandom',
  'getsockname',
  'getsockopt',
  'listen',
  'recv',
  'recvfrom',
  'recvmmsg',
  'recvmmsg_time64',
  'recvmsg',
  'send',
  'sendmmsg',
  'sendmsg',
  'sendto',
  'setsockopt',
  'shutdown',
  'socketcall',
  'socketpair',
] as const;

/** Calls that only make sense on one processor family. */
const ARCH_SPECIFIC: Record<SeccompArch, readonly string[]> = {
  x64: ['arch_prctl', 'modify_ldt'],
  arm64: [
    'arm_fadvise64_64',
    'arm_sync_file_range',
    'breakpoint',
    'cacheflush',
    'set_tls',
    'sync_file_range2',
  ],
};

/** Calls the engine's default allows only to a container that holds the capability. */
const BY_CAPABILITY: Record<string, readonly string[]> = {
  SYS_ADMIN: [
    'bpf',
    'clone',
    'clone3',
    'fanotify_init',
    'fsconfig',
    'fsmount',
    'fsopen',
    'fspick',
    'lookup_dcookie',
    'mount',
    'mount_setattr',
    'move_mount',
    'open_tree',
    'perf_event_open',
    'quotactl',
    'quotactl_fd',
    'setdomainname',
    'sethostname',
    'setns',
    'syslog',
    'umount',
    'umount2',
    'unshare',
  ],
  SYS_BOOT: ['reboot'],
  SYS_CHROOT: ['chroot'],
  SYS_MODULE: ['delete_module', 'finit_module', 'init_module'],
  SYS_PACCT: ['acct'],
  SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise'],
  SYS_RAWIO: ['ioperm', 'iopl'],
  SYS_TIME: ['clock_settime', 'clock_settime64', 'settimeofday', 'stime'],
  DAC_READ_SEARCH: ['open_by_handle_at'],
  BPF: ['bpf'],
  PERFMON: ['perf_event_open'],
  SYS_TTY_CONFIG: ['vhangup'],
  SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
  SYSLOG: ['syslog'],
};

/** The capabilities the engine gives every container unless told otherwise. */
export const ENGINE_DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
] as const;

/** Execution domains (`personality`) the engine's default lets a process switch to. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** Sockets of every family but vsock (40), which reaches the hypervisor's host. */
const AF_VSOCK = 40;

/** Namespace flags of clone(2); without SYS_ADMIN a process may not create namespaces. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const ENOSYS = 38;
const EPERM = 1;

export type SeccompArch = 'x64' | 'arm64';

const ARCHITECTURES: Record<SeccompArch, string[]> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

export interface SeccompInput {
  arch: SeccompArch;
  /** Capabilities the container gets beyond the engine's defaults (`--cap-add`). */
  addedCapabilities: readonly string[];
  /** Calls allowed beyond the engine's default profile: what the kit needs and why. */
  extraSyscalls: readonly string[];
}

interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: 'SCMP_CMP_EQ' | 'SCMP_CMP_NE' | 'SCMP_CMP_MASKED_EQ';
}

export interface SeccompRule {
  names: string[];
  action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO';
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface SeccompProfile {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: SeccompRule[];
}

/** Maps Node's `process.arch` to a profile architecture; others are not supported. */
export function seccompArch(nodeArch: string): SeccompArch | undefined {
  if (nodeArch === 'x64') return 'x64';
  if (nodeArch === 'arm64') return 'arm64';
  return undefined;
}

function allowedNames(input: SeccompInput): string[] {
  const capabilities = new Set([...ENGINE_DEFAULT_CAPABILITIES, ...input.addedCapabilities]);
  const names = new Set<string>([
    ...FILES,
    ...MEMORY,
    ...PROCESSES,
    ...SIGNALS_AND_TIME,
    ...EVENTS_AND_IPC,
    ...NETWORK,
    ...ARCH_SPECIFIC[input.arch],
    ...input.extraSyscalls,
  ]);
  for (const capability of capabilities) {
    for (const name of BY_CAPABILITY[capability] ?? []) names.add(name);
  }
  return [...names].sort();
}

/**
 * Without SYS_ADMIN, clone may run only without namespace flags, and clone3
 * (whose flags live in memory seccomp cannot read) answers ENOSYS so that libc
 * falls back to clone.
 */
function cloneRules(allowed: readonly string[]): SeccompRule[] {
  if (allowed.includes('clone')) return [];
  return [
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    },
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
  ];
}

function socketRule(): SeccompRule {
  return {
    names: ['socket'],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }],
  };
}

function personalityRules(): SeccompRule[] {
  return PERSONALITIES.map((value) => ({
    names: ['personality'],
    action: 'SCMP_ACT_ALLOW' as const,
    args: [{ index: 0, value, op: 'SCMP_CMP_EQ' as const }],
  }));
}

/** The profile: everything not allowed fails with EPERM, as with the engine's default. */
export function seccompProfile(input: SeccompInput): SeccompProfile {
  const allowed = allowedNames(input);
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ARCHITECTURES[input.arch],
    syscalls: [
      { names: allowed, action: 'SCMP_ACT_ALLOW' },
      socketRule(),
      ...personalityRules(),
      ...cloneRules(allowed),
    ],
  };
}

/** The file the docker CLI reads for `--security-opt seccomp=<file>`. */
export function seccompProfileText(input: SeccompInput): string {
  return `${JSON.stringify(seccompProfile(input), null, 2)}\n`;
}
