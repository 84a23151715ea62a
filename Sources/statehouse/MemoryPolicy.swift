import CMalloc

/// How the server's memory behaves after large requests.
enum MemoryPolicy {
    /// Buffers of 256 KiB and more (state bodies, compressed blobs) get their own mappings and
    /// go back to the system when freed. glibc would otherwise raise this threshold after each
    /// large free and serve later large buffers from its per-thread arenas, which keep the
    /// memory: after a burst of big writes the process would stay at its peak.
    static func apply() {
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 10)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 20)
    }
}
