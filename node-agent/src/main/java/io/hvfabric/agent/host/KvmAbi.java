package io.hvfabric.agent.host;

/**
 * ioctl numbers, constants and struct offsets of the KVM API for x86_64, as in linux/kvm.h and asm/kvm.h (checked
 * with offsetof against the UAPI headers of Linux 6.1).
 */
final class KvmAbi {
    private KvmAbi() {}

    static final int EXPECTED_API_VERSION = 12;

    // ioctls on the /dev/kvm fd
    static final long KVM_GET_API_VERSION = 0xAE00L;
    static final long KVM_CREATE_VM = 0xAE01L;
    static final long KVM_CHECK_EXTENSION = 0xAE03L;
    static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;
    // ioctls on a VM fd
    static final long KVM_CREATE_VCPU = 0xAE41L;
    static final long KVM_SET_USER_MEMORY_REGION = 0x4020AE46L;
    static final long KVM_SET_TSS_ADDR = 0xAE47L;
    // ioctls on a vCPU fd
    static final long KVM_RUN = 0xAE80L;
    static final long KVM_SET_REGS = 0x4090AE82L;
    static final long KVM_GET_SREGS = 0x8138AE83L;
    static final long KVM_SET_SREGS = 0x4138AE84L;
    static final long KVM_SET_SIGNAL_MASK = 0x4004AE8BL;

    static final int KVM_CAP_NR_VCPUS = 9;
    static final int KVM_CAP_MAX_VCPUS = 66;
    /** The API doc: without KVM_CAP_NR_VCPUS, assume 4. */
    static final int DEFAULT_MAX_VCPUS = 4;

    /** Where QEMU puts the three-page TSS region Intel's real-mode emulation needs: just below the BIOS. */
    static final long TSS_ADDR = 0xFFFBD000L;

    // exit reasons (kvm_run.exit_reason)
    static final int KVM_EXIT_UNKNOWN = 0;
    static final int KVM_EXIT_EXCEPTION = 1;
    static final int KVM_EXIT_IO = 2;
    static final int KVM_EXIT_HLT = 5;
    static final int KVM_EXIT_MMIO = 6;
    static final int KVM_EXIT_SHUTDOWN = 8;
    static final int KVM_EXIT_FAIL_ENTRY = 9;
    static final int KVM_EXIT_INTR = 10;
    static final int KVM_EXIT_INTERNAL_ERROR = 17;
    static final int KVM_EXIT_IO_OUT = 1;

    // struct kvm_userspace_memory_region (32 bytes)
    static final int UMR_SIZE = 32;
    static final int UMR_SLOT = 0;
    static final int UMR_FLAGS = 4;
    static final int UMR_GUEST_PHYS_ADDR = 8;
    static final int UMR_MEMORY_SIZE = 16;
    static final int UMR_USERSPACE_ADDR = 24;

    // struct kvm_regs (144 bytes)
    static final int REGS_SIZE = 144;
    static final int REGS_RSP = 48;
    static final int REGS_RIP = 128;
    static final int REGS_RFLAGS = 136;

    // struct kvm_segment (24 bytes)
    static final int SEG_BASE = 0;
    static final int SEG_LIMIT = 8;
    static final int SEG_SELECTOR = 12;
    static final int SEG_TYPE = 14;
    static final int SEG_PRESENT = 15;
    static final int SEG_DPL = 16;
    static final int SEG_DB = 17;
    static final int SEG_S = 18;
    static final int SEG_L = 19;
    static final int SEG_G = 20;
    static final int SEG_AVL = 21;
    static final int SEG_UNUSABLE = 22;

    // struct kvm_sregs (312 bytes)
    static final int SREGS_SIZE = 312;
    static final int SREGS_CS = 0;
    static final int SREGS_DS = 24;
    static final int SREGS_ES = 48;
    static final int SREGS_FS = 72;
    static final int SREGS_GS = 96;
    static final int SREGS_SS = 120;
    static final int SREGS_TR = 144;
    static final int SREGS_GDT = 192;
    static final int SREGS_IDT = 208;
    static final int DTABLE_BASE = 0;
    static final int DTABLE_LIMIT = 8;
    static final int SREGS_CR0 = 224;
    static final int SREGS_CR3 = 240;
    static final int SREGS_CR4 = 248;
    static final int SREGS_EFER = 264;

    // struct kvm_run
    static final int RUN_EXIT_REASON = 8;
    static final int RUN_IO_DIRECTION = 32;
    static final int RUN_IO_SIZE = 33;
    static final int RUN_IO_PORT = 34;
    static final int RUN_IO_COUNT = 36;
    static final int RUN_IO_DATA_OFFSET = 40;
    /** First field of the exit union: hardware_entry_failure_reason (u64), internal.suberror (u32), mmio.phys_addr. */
    static final int RUN_EXIT_UNION = 32;

    /** struct kvm_signal_mask { __u32 len; __u8 sigset[]; } with the kernel's 64-bit sigset. */
    static final int KERNEL_SIGSET_BYTES = 8;
}
