#pragma once
// Memory for slab_pool's slabs straight from the kernel, aligned to the slab size: a slab's
// blocks find it by masking their address. glibc's aligned_alloc served a 64 KiB slab with a
// 128 KiB mapping and touched the page before it (+7% resident, 2x virtual); here slabs are cut
// from mappings of many at once and each goes back on its own (munmap of its range).

#include <cstddef>

namespace otp::detail {

/// Maps `count` slabs of `slab_bytes` (a power of two, a multiple of the page size) in one
/// range aligned to `slab_bytes`; nullptr if the kernel refuses. Untouched pages cost nothing.
void* map_slabs(std::size_t slab_bytes, std::size_t count) noexcept;
/// Gives one slab's range back to the kernel.
void unmap_slab(void* slab, std::size_t slab_bytes) noexcept;

}  // namespace otp::detail
